package moat.server.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.ToIntFunction;
import moat.server.config.Config;
import moat.server.config.ConfigException;
import moat.server.config.ConfigLocator;
import moat.store.Directory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code moat} command. Build it with {@link #commandLine}; add {@code serve} with
 * {@code cli.addSubcommand("serve", new ServeCommand(...))}. A subcommand reaches the loaded
 * configuration through {@code @ParentCommand MoatCommand moat} and {@link #config()}.
 *
 * <p>Exit codes: 0 success, 1 failure (no such user, broken config, store error), 2 usage error
 * (bad address, bad option, short password).
 */
@Command(name = "moat", mixinStandardHelpOptions = true, version = "moat 0.1.0",
        description = "Moat mail server: administration commands.",
        subcommands = {DomainCommand.class, UserCommand.class, AliasCommand.class, ConfigCommand.class,
                DkimCommand.class, DnsCommand.class, QueueCommand.class, LogCommand.class})
public final class MoatCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "Configuration file (default: $MOAT_CONFIG, else ./moat.toml, else /etc/moat/moat.toml)")
    Path configFile;

    private final DirectoryOpener opener;
    private final PasswordSource passwords;
    private final ConfigLocator locator;

    public MoatCommand(DirectoryOpener opener, PasswordSource passwords, ConfigLocator locator) {
        this.opener = opener;
        this.passwords = passwords;
        this.locator = locator;
    }

    /** The command line with converters and the exit-code policy installed, passwords from the terminal/stdin. */
    public static CommandLine commandLine(DirectoryOpener opener) {
        return commandLine(opener, PasswordSource.system());
    }

    /** As {@link #commandLine(DirectoryOpener, PasswordSource, ConfigLocator)} for this process's environment. */
    public static CommandLine commandLine(DirectoryOpener opener, PasswordSource passwords) {
        return commandLine(opener, passwords, ConfigLocator.system());
    }

    public static CommandLine commandLine(DirectoryOpener opener, PasswordSource passwords, ConfigLocator locator) {
        CommandLine cli = new CommandLine(new MoatCommand(opener, passwords, locator));
        Converters.register(cli);
        cli.setParameterExceptionHandler((ex, args) -> {
            // An unmatched argument may be a password typed on the command line by mistake:
            // never echo it back (it would land in terminal scroll-back and logs).
            String msg = ex instanceof CommandLine.UnmatchedArgumentException
                    ? "unknown option or extra argument (passwords are never taken from the command line;"
                    + " they are read from the terminal or stdin)"
                    : ex.getMessage();
            ex.getCommandLine().getErr().println("moat: " + msg + " (see: "
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            switch (ex) {
                case UsageException u -> {
                    err.println("moat: " + u.getMessage());
                    return 2;
                }
                case ConfigException c -> {
                    err.println("moat: " + c.getMessage());
                    return 1;
                }
                default -> {
                    // Store and I/O errors carry a message for the admin; a trace would only hide it.
                    err.println("moat: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
                    return 1;
                }
            }
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Where the configuration is: {@code --config}, {@code MOAT_CONFIG}, ./moat.toml,
     * /etc/moat/moat.toml, in that order, for every command (docs/adr/0028).
     */
    public ConfigLocator.Location configLocation() {
        return locator.locate(Optional.ofNullable(configFile));
    }

    /** The locator this command line was built with ({@code serve} writes its {@code localFile()}). */
    public ConfigLocator locator() {
        return locator;
    }

    /** The configuration; no file anywhere is an error naming the places looked at (no silent defaults). */
    public Config config() throws ConfigException {
        return ConfigLocator.load(configLocation());
    }

    /** Runs {@code action} on an open directory and closes it afterwards. */
    int withDirectory(ToIntFunction<Directory> action) throws Exception {
        Directory directory = opener.open(config());
        try {
            return action.applyAsInt(directory);
        } finally {
            if (directory instanceof AutoCloseable c) c.close();
        }
    }

    PasswordSource passwords() {
        return passwords;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
