package moat.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the configuration file is, the same way for {@code moat serve} and every admin command:
 * {@code --config FILE}, else the environment variable {@code MOAT_CONFIG}, else
 * {@code ./moat.toml}, else {@code /etc/moat/moat.toml} (docs/adr/0028-config-file-format-and-discovery.md).
 *
 * <p>The environment, the working directory and the system-wide file are given, not read from
 * globals here, so the order can be tested; {@link #system()} is the real process's view.
 *
 * <p>A named file ({@code --config} or {@code MOAT_CONFIG}) is taken as named even if it does not
 * exist (the loader then says "no such file"): falling through to another file would silently
 * run with a configuration the admin did not ask for.
 */
public record ConfigLocator(Map<String, String> environment, Path workingDirectory, Path systemFile) {
    public static final String ENV = "MOAT_CONFIG";
    public static final String FILE_NAME = "moat.toml";
    public static final Path SYSTEM_FILE = Path.of("/etc/moat/moat.toml");

    public ConfigLocator {
        environment = Map.copyOf(environment);
        if (!workingDirectory.isAbsolute()) throw new IllegalArgumentException("working directory must be absolute");
    }

    /** This process: its environment, its working directory, /etc/moat/moat.toml. */
    public static ConfigLocator system() {
        return new ConfigLocator(System.getenv(), Path.of("").toAbsolutePath(), SYSTEM_FILE);
    }

    /** The outcome of the search. */
    public sealed interface Location {
        /** Named by {@code --config} or {@code MOAT_CONFIG}; {@code how} says which. May not exist. */
        record Named(Path file, String how) implements Location {}

        /** Found at one of the default places. */
        record Found(Path file) implements Location {}

        /** No file anywhere; {@code looked} lists the places, in order. */
        record Missing(List<Path> looked) implements Location {}
    }

    /** {@code option} is the value of {@code --config}, when given. */
    public Location locate(Optional<Path> option) {
        if (option.isPresent()) return new Location.Named(workingDirectory.resolve(option.get()), "--config");
        String env = environment.getOrDefault(ENV, "");
        if (!env.isBlank()) return new Location.Named(workingDirectory.resolve(env), ENV);
        Path local = localFile();
        if (Files.exists(local)) return new Location.Found(local);
        if (Files.exists(systemFile)) return new Location.Found(systemFile);
        return new Location.Missing(List.of(local, systemFile));
    }

    /** {@code ./moat.toml}: where {@code moat serve} writes the defaults when no file exists anywhere. */
    public Path localFile() {
        return workingDirectory.resolve(FILE_NAME);
    }

    /** The configuration at {@code location}; a missing one is an error naming every place looked at. */
    public static Config load(Location location) throws ConfigException {
        return switch (location) {
            case Location.Named n -> Config.load(n.file());
            case Location.Found f -> Config.load(f.file());
            case Location.Missing m -> throw new ConfigException(missing(m));
        };
    }

    /** The admin's message for {@link Location.Missing}. */
    public static String missing(Location.Missing m) {
        return "no configuration file: no --config option, " + ENV + " not set, and neither "
                + String.join(" nor ", m.looked().stream().map(Path::toString).toList())
                + " exists. Run this in the directory of your moat.toml, or name it with --config FILE or " + ENV
                + "=FILE (moat serve writes ./moat.toml with the defaults on its first start).";
    }
}
