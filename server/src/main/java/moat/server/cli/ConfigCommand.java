package moat.server.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import moat.core.config.Setting;
import moat.server.config.Config;
import moat.server.config.ConfigException;
import moat.server.config.ServerSettings;
import moat.server.hostname.HostNameCheck;
import moat.server.hostname.LocalHost;
import moat.server.policy.DnsSettings;
import moat.server.config.ConfigFile;
import moat.server.config.ConfigLocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code moat config check|get|set|defaults|template}. */
@Command(name = "config", description = "Check, read, change and document the configuration.",
        mixinStandardHelpOptions = true)
final class ConfigCommand {
    @ParentCommand
    MoatCommand moat;

    @Command(name = "check", description = "Load the configuration; print OK or every error (exit 1).")
    int check() {
        // --config is inherited from the top-level command, so `moat config check --config F` works.
        try {
            Path target = file();
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

    @Command(name = "get", description = "Print the value of KEY in use (from the file, else its default), as TOML.")
    int get(@Parameters(paramLabel = "KEY", description = "e.g. server.port_offset") String key) throws ConfigException {
        Setting<?> setting = Config.setting(key);
        moat.out().println(moat.config().toml(setting));
        return 0;
    }

    @Command(name = "set", description = {"Change KEY in the configuration file in place (comments and layout kept).",
            "The value is checked as at start-up and an invalid file is never written. Restart to apply.",
            "VALUE: TOML (10000, true, '\"5m\"', '[\"a\", \"b\"]') or a plain word for text, durations, sizes"
                    + " and ports (2s, 25MiB, off)."})
    int set(@Parameters(index = "0", paramLabel = "KEY") String key,
            @Parameters(index = "1", paramLabel = "VALUE") String value) throws ConfigException, IOException {
        Path target = file();
        String written = ConfigFile.set(target, key, value);
        moat.out().println(key + " = " + written + " (" + target + "; restart moat to apply)");
        return 0;
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

    /** The file found the same way as every command; none at all is an error. */
    private Path file() throws ConfigException {
        return switch (moat.configLocation()) {
            case ConfigLocator.Location.Named n -> n.file();
            case ConfigLocator.Location.Found f -> f.file();
            case ConfigLocator.Location.Missing m -> throw new ConfigException(ConfigLocator.missing(m));
        };
    }
}
