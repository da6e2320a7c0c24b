package moat.server;

import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.cli.MoatCommand;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code moat serve}: writes a commented moat.toml on first start, then runs until stopped. */
@Command(name = "serve", description = "Run the mail server (writes moat.toml with secure defaults on first start).")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    MoatCommand moat;

    @Override
    public Integer call() throws Exception {
        var out = System.out;
        if (!Files.exists(moat.configPath())) {
            Files.writeString(moat.configPath(), Config.defaultFile());
            out.println("moat: wrote " + moat.configPath().toAbsolutePath() + " with the secure defaults; edit it and restart.");
        }
        Config config = moat.config();
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
        out.println("moat: smtp " + server.port(Listener.MX) + ", submission " + server.port(Listener.SUBMISSION)
                + ", submissions " + server.port(Listener.SUBMISSIONS) + ", imap " + server.imapPort(false)
                + ", imaps " + server.imapPort(true) + ", pop3 " + server.pop3().port()
                + ", pop3s " + server.pop3().tlsPort() + " (" + String.join(",", config.get(ServerSettings.BIND_ADDRESSES)) + ")");
        out.flush();
        stop.await();
        return 0;
    }
}
