package moat.server.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToIntFunction;
import moat.server.config.Config;
import moat.server.config.ConfigException;
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
    static final Path DEFAULT_CONFIG = Path.of("moat.toml");

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "Configuration file (default: moat.toml; if that does not exist, the built-in defaults)")
    Path configFile;

    private final DirectoryOpener opener;
    private final PasswordSource passwords;

    public MoatCommand(DirectoryOpener opener, PasswordSource passwords) {
        this.opener = opener;
        this.passwords = passwords;
    }

    /** The command line with converters and the exit-code policy installed, passwords from the terminal/stdin. */
    public static CommandLine commandLine(DirectoryOpener opener) {
        return commandLine(opener, PasswordSource.system());
    }

    public static CommandLine commandLine(DirectoryOpener opener, PasswordSource passwords) {
        CommandLine cli = new CommandLine(new MoatCommand(opener, passwords));
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
     * The configuration named by {@code --config}; without the option, moat.toml when it exists
     * and the defaults otherwise (so a fresh install needs no file, but a named file must exist).
     */
    /** The file {@link #config()} reads or would read: {@code --config}, else moat.toml. */
    public Path configPath() {
        return configFile != null ? configFile : DEFAULT_CONFIG;
    }

    public Config config() throws ConfigException {
        if (configFile != null) return Config.load(configFile);
        return Files.exists(DEFAULT_CONFIG) ? Config.load(DEFAULT_CONFIG) : Config.defaults();
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
