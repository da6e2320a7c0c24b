/**
 * The {@code moat} command line (picocli): domain, user and alias administration and config
 * checks. {@link moat.server.cli.MoatCommand#commandLine} builds it; the {@code serve}
 * subcommand is added by {@code moat.server.Main}. The user directory comes from a
 * {@link moat.server.cli.DirectoryOpener}, so the commands do not know which store is behind it.
 * The configuration is found by {@link moat.server.config.ConfigLocator}, the same for every
 * command; a command that needs it and finds none fails (exit 1) naming the places it looked.
 *
 * <p>Exit codes: 0 done, 1 failed (no such user, config errors, store errors), 2 usage error.
 *
 * <p>SECURITY: passwords are never taken from argv (visible in {@code ps} and shell history):
 * they are read without echo from the terminal, twice, or as one line from standard input.
 * Minimum length 8. Addresses and domains are parsed with the same strict types as SMTP uses.
 *
 * <p>LIMITATION: no password strength check beyond length (no breached-password list).
 * LIMITATION: the commands open the store directly; running them against a live server relies on
 * the store's own locking (SQLite WAL).
 */
package moat.server.cli;
