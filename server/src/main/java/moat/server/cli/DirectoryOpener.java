package moat.server.cli;

import moat.server.config.Config;
import moat.store.Directory;

/**
 * How the admin commands get at the user directory. {@code Main} passes the real store; tests pass
 * an in-memory one. If the returned directory is {@link AutoCloseable} it is closed after the command.
 */
@FunctionalInterface
public interface DirectoryOpener {
    Directory open(Config config) throws Exception;
}
