package moat.server.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import moat.server.config.Config;
import moat.server.config.ConfigException;
import moat.server.config.ServerSettings;
import moat.server.hostname.HostNameCheck;
import moat.server.hostname.LocalHost;
import moat.server.policy.DnsSettings;
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
            Config config = Config.load(target);
            moat.out().println("OK: " + target);
            // Valid is not enough: a host name other servers cannot use is said here, loudly (exit stays 0).
            hostNameWarning(config).forEach(moat.err()::println);
            return 0;
        } catch (ConfigException e) {
            moat.err().println(e.getMessage());
            return 1;
        }
    }

    /** The host name check of moat.server.hostname with this config's resolver; a DNS set-up error is one line. */
    private static java.util.List<String> hostNameWarning(Config config) {
        try {
            return HostNameCheck.check(config.get(ServerSettings.HOSTNAME), config.isSet(ServerSettings.HOSTNAME),
                    DnsSettings.resolver(config, Clock.systemUTC()), LocalHost.system()).warning();
        } catch (IOException e) {
            return java.util.List.of("note: host name not checked: cannot read the DNS servers: " + e.getMessage());
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
