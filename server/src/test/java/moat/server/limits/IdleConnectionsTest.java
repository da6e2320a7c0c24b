package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 3,000 idle connections on port 25: the server keeps serving a normal client, the memory they
 * cost is printed (no assertion: it is a number for capacity planning), and the total limit
 * refuses beyond the cap. Client and server share this JVM, so the figure covers both ends.
 */
@Tag("slow")
class IdleConnectionsTest {
    private static final int IDLE = 3000;

    @TempDir
    Path tmp;

    @Test
    void holdsThousandsOfIdleConnectionsAndRefusesBeyondTheCap() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try (TestServer s = TestServer.start(tmp, "limits.max_connections = " + (IDLE + 1),
                "limits.max_connections_per_ip = 100000", "limits.connection_rate = 1000000",
                "limits.max_tracked_clients = 10000")) {
            int port = s.port(Listener.MX);
            long heap0 = usedHeap();
            long rss0 = rssKiB();
            for (int i = 0; i < IDLE; i++) idle.add(greetedSocket(port, "127.0." + (i / 250 + 1) + "." + (i % 250 + 1)));
            long heap1 = usedHeap();
            long rss1 = rssKiB();
            System.out.printf("idle connections: %d open; per 1,000: heap +%d KiB, RSS +%d KiB (client and server ends)%n",
                    s.server().gate().active(), (heap1 - heap0) / 1024 / (IDLE / 1000), (rss1 - rss0) / (IDLE / 1000));

            try (SmtpClient c = new SmtpClient("127.0.0.1", port, "127.9.9.9")) {
                assertThat(c.readLine()).startsWith("220 ");
                assertThat(c.cmd("EHLO normal.example")).startsWith("250 ");
                assertThat(c.cmd("MAIL FROM:<someone@sender.example>")).startsWith("250 ");
                assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250 ");
                assertThat(c.cmd("DATA")).startsWith("354 ");
                assertThat(c.cmd("Subject: still served\r\n\r\nhello\r\n.")).startsWith("250 ");
                c.cmd("QUIT");
            }
            for (int i = 0; i < 500 && s.server().gate().active() > IDLE; i++) Thread.sleep(10);

            idle.add(greetedSocket(port, "127.9.9.10")); // the last one the cap allows
            try (SmtpClient over = new SmtpClient("127.0.0.1", port, "127.9.9.11")) {
                assertThat(over.readLine()).isEqualTo("421 4.7.0 Too many connections, try again later");
                assertThat(over.closedByServer()).isTrue();
            }
        } finally {
            for (Socket k : idle) k.close();
        }
    }

    private static Socket greetedSocket(int port, String from) throws IOException {
        Socket k = new Socket();
        k.bind(new InetSocketAddress(from, 0));
        k.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        k.setSoTimeout(15_000);
        InputStream in = k.getInputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            // read the whole 220 line: the server's session for this socket exists now
        }
        assertThat(c).isEqualTo('\n');
        return k;
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }
}
