package moat.core.config;

import java.nio.file.Path;

/**
 * Read access to loaded settings, so a module that owns settings (delivery, and the stores,
 * scanners and sinks to come) reads its values without depending on the server's TOML loader.
 * The server's {@code moat.server.config.Config} is the one implementation.
 */
public interface SettingValues {
    /** The value of a registered setting (its default when the file does not set it). */
    <T> T get(Setting<T> setting);

    /** A path setting made absolute: relative paths resolve against the data directory. */
    Path path(Setting<Path> setting);

    /** The data directory, absolute; relative file names in string settings resolve against it. */
    Path dataDir();
}
