package moat.server.config;

import java.util.List;

/**
 * A configuration that cannot be used. Carries every problem found, not only the first, so an
 * admin fixes the file in one round.
 */
public class ConfigException extends Exception {
    private final List<String> errors;

    public ConfigException(String source, List<String> errors) {
        super(source + ": " + errors.size() + (errors.size() == 1 ? " error" : " errors") + "\n  "
                + String.join("\n  ", errors));
        this.errors = List.copyOf(errors);
    }

    public ConfigException(String source, String error, Throwable cause) {
        super(source + ": " + error, cause);
        this.errors = List.of(error);
    }

    /** One problem that is not about a line of a file (no file at all, an unknown key asked for). */
    public ConfigException(String error) {
        super(error);
        this.errors = List.of(error);
    }

    /** One line per problem, each naming the key, the value and what is allowed. */
    public List<String> errors() {
        return errors;
    }
}
