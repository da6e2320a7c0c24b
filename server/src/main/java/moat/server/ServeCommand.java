package moat.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import moat.server.cli.MoatCommand;
import moat.server.config.Config;
import moat.server.config.ConfigLocator;
import moat.server.config.ServerSettings;
import moat.server.hostname.HostNameCheck;
import moat.server.hostname.LocalHost;
import moat.server.policy.DnsSettings;
import moat.server.postmaster.PostmasterDirectory;
import moat.server.postmaster.PostmasterSettings;
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
        Clock clock = Clock.systemUTC();
        Instant started = clock.instant();
        MoatServer server;
        try {
            server = MoatServer.start(config, clock, msg -> System.err.println(msg));
        } catch (MoatServer.StartupException e) {
            System.err.println("moat: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            // One line once everything is closed (SIGTERM, SIGINT): the admin and systemd's journal see it ended cleanly.
            System.out.println(StartSummary.stopped(Duration.between(started, clock.instant())));
            System.out.flush();
            stop.countDown();
        }));
        HostNameCheck.Report host = HostNameCheck.check(config.get(ServerSettings.HOSTNAME),
                config.isSet(ServerSettings.HOSTNAME), DnsSettings.resolver(config, clock), LocalHost.system());
        String postmaster = new PostmasterDirectory(server.store(), config.get(ServerSettings.HOSTNAME),
                PostmasterDirectory.configured(config.get(PostmasterSettings.POSTMASTER))).summary();
        StartSummary.of(config, server, host, postmaster).lines(clock.instant()).forEach(out::println);
        out.flush();
        // Loud, on stderr: a wrong host name makes other servers distrust every message (docs: README, host name).
        host.warning().forEach(System.err::println);
        stop.await();
        return 0;
    }
}
