package moat.server.cli;

import java.nio.file.Path;
import moat.server.config.Config;
import moat.server.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code moat config check|defaults|template}. */
@Command(name = "config", description = "Check and document the configuration.", mixinStandardHelpOptions = true)
final class ConfigCommand {
    @ParentCommand
    MoatCommand moat;

    @Command(name = "check", description = "Load the configuration; print OK or every error (exit 1).")
    int check() {
        // --config is inherited from the top-level command, so `moat config check --config F` works.
        Path target = moat.configPath();
        try {
            Config.load(target);
            moat.out().println("OK: " + target);
            return 0;
        } catch (ConfigException e) {
            moat.err().println(e.getMessage());
            return 1;
        }
    }

    @Command(name = "defaults", description = "Print every setting with its default, unit, bounds and doc.")
    int defaults() {
        moat.out().print(Config.defaultsTable());
        return 0;
    }

    @Command(name = "template", description = "Print a complete commented moat.toml holding the defaults.")
    int template() {
        moat.out().print(Config.defaultFile());
        return 0;
    }
}
