package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.server.crash.ServerProcess;
import moat.server.testing.SmtpClient;
import moat.store.sqlite.SqliteStore;
import moat.store.sqlite.StoreSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an idle SMTP connection costs the server alone: {@code moat serve} runs in a child JVM
 * (as in the crash harness), this JVM opens 1,000 and then 3,000 greeted, idle connections, and
 * the child's VmRSS from {@code /proc/<pid>/status} is read before and after. The figure is
 * printed ({@code IDLE-RSS per_1000=... KiB}) and written to {@code target/idle-rss.txt}; it is
 * not asserted (it depends on the JVM and the GC). Asserted: the server still serves a normal
 * client, and refuses beyond {@code limits.max_connections} with 421.
 */
@Tag("slow")
class IdleRssTest {
    private static final int FIRST = 1000;
    private static final int TOTAL = 3000;

    @TempDir
    Path dir;

    @Test
    void measuresServerRssPerThousandIdleConnections() throws Exception {
        Path data = dir.resolve("data");
        Path work = Files.createDirectories(dir.resolve("work"));
        int port = freePort();
        Path config = work.resolve("moat.toml");
        Files.writeString(config, """
                server.hostname = "mx.test.example"
                server.data_dir = "%s"
                listener.bind_address = ["127.0.0.1"]
                listener.smtp_port = %d
                listener.submission_port = "off"
                listener.submissions_port = "off"
                listener.pop3_port = "off"
                listener.pop3s_port = "off"
                listener.imap_port = "off"
                listener.imaps_port = "off"
                limits.banner_delay = "0s"
                limits.max_connections = %d
                limits.max_connections_per_ip = 100000
                limits.connection_rate = 1000000
                limits.max_tracked_clients = 10000
                """.formatted(data.toAbsolutePath(), port, TOTAL + 1));
        try (SqliteStore store = SqliteStore.open(data, StoreSettings.defaults())) {
            store.addDomain(Domain.of("example.org"));
            store.addUser(EmailAddress.of("alice@example.org"), "alice-password-1".toCharArray());
        }
        ServerProcess server = new ServerProcess(work, config, dir.resolve("server.log"), port);
        server.start(60_000);
        List<Socket> idle = new ArrayList<>();
        try {
            normalSession(port, "127.9.9.1"); // warm up: classes loaded, store open, first session's garbage made
            long rss0 = settledRss(server.pid());
            for (int i = 0; i < FIRST; i++) idle.add(greetedSocket(port, address(i)));
            long rss1 = settledRss(server.pid());
            for (int i = FIRST; i < TOTAL; i++) idle.add(greetedSocket(port, address(i)));
            long rss3 = settledRss(server.pid());
            long perThousand = (rss3 - rss0) / (TOTAL / 1000);
            String report = "IDLE-RSS per_1000=%d KiB (server JVM only; baseline %d KiB, +%d KiB at %d idle, +%d KiB at %d idle)"
                    .formatted(perThousand, rss0, rss1 - rss0, FIRST, rss3 - rss0, TOTAL);
            System.out.println(report);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "idle-rss.txt"), report + "\n");

            normalSession(port, "127.9.9.2"); // connection TOTAL + 1: still served
            // the normal session's slot frees when the server sees its QUIT; then fill the cap exactly
            Socket last = null;
            for (int i = 0; i < 200 && last == null; i++) {
                try {
                    last = greetedSocket(port, "127.9.9.3");
                } catch (AssertionError | IOException stillCounted) {
                    Thread.sleep(25);
                }
            }
            assertThat(last).as("the last connection the cap allows").isNotNull();
            idle.add(last);
            try (SmtpClient over = new SmtpClient("127.0.0.1", port, "127.9.9.4")) {
                assertThat(over.readLine()).isEqualTo("421 4.7.0 Too many connections, try again later");
                assertThat(over.closedByServer()).isTrue();
            }
        } finally {
            for (Socket k : idle) k.close();
            server.stop();
        }
    }

    private static String address(int i) {
        return "127.0." + (i / 250 + 1) + "." + (i % 250 + 1);
    }

    private static void normalSession(int port, String from) throws Exception {
        try (SmtpClient c = new SmtpClient("127.0.0.1", port, from)) {
            assertThat(c.readLine()).startsWith("220 ");
            assertThat(c.cmd("EHLO normal.example")).startsWith("250 ");
            assertThat(c.cmd("MAIL FROM:<someone@sender.example>")).startsWith("250 ");
            assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250 ");
            assertThat(c.cmd("DATA")).startsWith("354 ");
            assertThat(c.cmd("Subject: still served\r\n\r\nhello\r\n.")).startsWith("250 ");
            assertThat(c.cmd("QUIT")).startsWith("221 ");
        }
    }

    private static Socket greetedSocket(int port, String from) throws IOException {
        Socket k = new Socket();
        k.bind(new InetSocketAddress(from, 0));
        k.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        k.setSoTimeout(15_000);
        InputStream in = k.getInputStream();
        int c;
        int first = in.read();
        while ((c = in.read()) != -1 && c != '\n') {
            // the whole 220 line: the server's session for this socket exists now
        }
        if (first != '2' || c != '\n') {
            k.close();
            throw new AssertionError("not greeted (first byte " + first + ")");
        }
        return k;
    }

    /**
     * VmRSS of the child after a full GC (jcmd GC.run) and a short pause, so that garbage of the
     * accepts does not count, only what the live sessions hold (plus heap the JVM kept committed).
     */
    private static long settledRss(long pid) throws Exception {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) gc.destroyForcibly();
        Thread.sleep(1500);
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
