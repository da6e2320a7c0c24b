package moat.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntSupplier;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.cli.MoatCommand;
import moat.server.config.Config;
import moat.server.config.ConfigLocator;
import moat.server.config.ListenerPort;
import moat.server.config.ServerSettings;
import moat.server.config.Setting;
import moat.server.imap.ImapSettings;
import moat.server.pop3.Pop3Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code moat serve}: finds the configuration like every command ({@link ConfigLocator}); when
 * there is none anywhere, writes ./moat.toml with the defaults (or the file named by --config or
 * MOAT_CONFIG when that does not exist yet), then runs until stopped.
 */
@Command(name = "serve", description = "Run the mail server (writes ./moat.toml with secure defaults on first start).")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    MoatCommand moat;

    @Override
    public Integer call() throws Exception {
        var out = System.out;
        ConfigLocator.Location location = moat.configLocation();
        Path create = switch (location) {
            case ConfigLocator.Location.Named n -> Files.exists(n.file()) ? null : n.file();
            case ConfigLocator.Location.Found f -> null;
            case ConfigLocator.Location.Missing m -> {
                out.println("moat: no configuration file (looked at " + String.join(", ",
                        m.looked().stream().map(Path::toString).toList()) + "; no --config, " + ConfigLocator.ENV
                        + " not set)");
                yield moat.locator().localFile();
            }
        };
        if (create != null) {
            Files.writeString(create, Config.defaultFile());
            out.println("moat: wrote " + create.toAbsolutePath() + " with the secure defaults (every setting commented"
                    + " out); change one with: moat config set KEY VALUE, then restart.");
            location = moat.configLocation();
        }
        Config config = ConfigLocator.load(location);
        MoatServer server;
        try {
            server = MoatServer.start(config, Clock.systemUTC(), msg -> System.err.println(msg));
        } catch (MoatServer.StartupException e) {
            System.err.println("moat: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        out.println("moat: " + config.get(ServerSettings.HOSTNAME) + " serving; data in "
                + config.path(ServerSettings.DATA_DIR).toAbsolutePath());
        out.println("moat: smtp " + port(config, ServerSettings.SMTP_PORT, () -> server.port(Listener.MX))
                + ", submission " + port(config, ServerSettings.SUBMISSION_PORT, () -> server.port(Listener.SUBMISSION))
                + ", submissions " + port(config, ServerSettings.SUBMISSIONS_PORT, () -> server.port(Listener.SUBMISSIONS))
                + ", imap " + port(config, ImapSettings.IMAP_PORT, () -> server.imapPort(false))
                + ", imaps " + port(config, ImapSettings.IMAPS_PORT, () -> server.imapPort(true))
                + ", pop3 " + port(config, Pop3Settings.POP3_PORT, () -> server.pop3().port())
                + ", pop3s " + port(config, Pop3Settings.POP3S_PORT, () -> server.pop3().tlsPort())
                + " (" + String.join(",", config.get(ServerSettings.BIND_ADDRESSES)) + ")");
        out.flush();
        stop.await();
        return 0;
    }

    /** The bound port, or "off" for a listener switched off (nothing listens for it). */
    private static String port(Config config, Setting<ListenerPort> setting, IntSupplier bound) {
        return config.get(setting) instanceof ListenerPort.Off ? "off" : Integer.toString(bound.getAsInt());
    }
}
