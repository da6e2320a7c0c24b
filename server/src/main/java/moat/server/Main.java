package moat.server;

import moat.server.cli.MoatCommand;
import moat.server.config.ServerSettings;
import moat.store.sqlite.AdminDirectory;
import moat.store.sqlite.StoreSettings;
import picocli.CommandLine;

/** Entry point of the {@code moat} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        CommandLine cli = MoatCommand.commandLine(
                config -> AdminDirectory.open(config.path(ServerSettings.DATA_DIR), StoreSettings.defaults()));
        cli.addSubcommand("serve", new ServeCommand());
        int code = cli.execute(args);
        // picocli's writers flush on println only: `config template` (print) lost all but the
        // first 8 KiB when stdout was a pipe or a file, because System.exit does not flush them.
        cli.getOut().flush();
        cli.getErr().flush();
        if (code != 0 || args.length == 0 || !args[0].equals("serve")) System.exit(code);
    }
}
