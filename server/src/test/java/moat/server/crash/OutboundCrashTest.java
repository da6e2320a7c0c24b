package moat.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import moat.core.EmailAddress;
import moat.core.testing.ChildJvm;
import moat.delivery.FakeMx;
import moat.dns.testserver.TestDnsServer;
import moat.store.MailStore;
import moat.store.sqlite.SqliteOutboundQueue;
import moat.store.sqlite.SqliteStore;
import moat.store.sqlite.StoreSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound delivery under {@code kill -9}: a real {@code moat serve} (own JVM) delivers a queue of
 * messages to an MX on 127.0.0.5 (found through a DNS server on loopback) and is SIGKILLed at
 * random moments and restarted. Afterwards every queued message has reached the MX (nothing
 * lost) and the queue is empty; duplicates (the RFC 1047 window between the remote 250 and the
 * row's removal, docs/adr/0011-outbound-delivery.md) are counted and reported, and bounded by
 * what the kills could have caught in flight.
 */
@Tag("slow")
class OutboundCrashTest {
    private static final int MESSAGES = 400;
    private static final int KILLS = 8;
    private static final int MAX_CONNECTIONS = 8;
    private static final Pattern ID = Pattern.compile("Message-ID: <(crash-\\d+)@example.org>");

    @TempDir
    Path dir;

    @Test
    void noQueuedMessageIsLostAcrossKillNineDuringDelivery() throws Exception {
        SplittableRandom random = new SplittableRandom(Long.getLong("crash.seed", System.nanoTime()));
        Path data = dir.resolve("data");
        Path work = Files.createDirectories(dir.resolve("work"));
        int mxPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.5"))) {
            mxPort = probe.getLocalPort();
        }
        int[] ports = ServerProcess.freePorts(3);
        try (SqliteStore store = SqliteStore.open(data, StoreSettings.defaults())) {
            for (int i = 0; i < MESSAGES; i++) {
                MailStore.Draft d = store.begin();
                d.out().write(("From: alice@example.org\r\nSubject: crash " + i + "\r\nMessage-ID: <crash-" + i
                        + "@example.org>\r\n\r\nbody " + i + "\r\n").getBytes(StandardCharsets.UTF_8));
                d.out().close();
                store.commit(d, new MailStore.Delivery(Optional.of(EmailAddress.of("alice@example.org")), List.of(),
                        List.of(EmailAddress.of("r" + i + "@remote.example")), Instant.now()));
            }
        }
        try (TestDnsServer dns = TestDnsServer.builder().records("remote.example. MX 10 mx.remote.example.",
                "mx.remote.example. A 127.0.0.5").start();
             FakeMx mx = new FakeMx("127.0.0.5", mxPort)) {
            Path config = work.resolve("moat.toml");
            Files.writeString(config, ServerProcess.baseConfig(data, ports[0], ports[1], ports[2]) + """
                    dns.resolvers = ["127.0.0.1:%d"]
                    delivery.smtp_port = %d
                    delivery.scan_interval = "100ms"
                    delivery.max_connections = %d
                    delivery.command_timeout = "5s"
                    """.formatted(dns.address().getPort(), mxPort,
                    MAX_CONNECTIONS));
            ServerProcess server = new ServerProcess(work, config, work.resolve("server.log"), ports[0]);
            int kills = 0;
            for (int k = 0; k < KILLS && remaining(data) > 0; k++) {
                server.start(30_000);
                Thread.sleep(150 + random.nextInt(600));
                assertThat(server.kill()).isEqualTo(ChildJvm.SIGKILL_EXIT);
                kills++;
            }
            server.start(30_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (remaining(data) > 0 && System.nanoTime() < deadline) Thread.sleep(200);
            server.stop();
            assertThat(remaining(data)).as("queue drained; log:\n" + server.tail()).isZero();

            Map<String, Integer> seen = new HashMap<>();
            for (String m : mx.messages) {
                Matcher matcher = ID.matcher(m);
                assertThat(matcher.find()).as("a message the test queued: " + m).isTrue();
                seen.merge(matcher.group(1), 1, Integer::sum);
            }
            for (int i = 0; i < MESSAGES; i++) assertThat(seen).as("message crash-" + i + " lost").containsKey("crash-" + i);
            int duplicates = mx.messages.size() - MESSAGES;
            System.out.printf("outbound crash test: %d messages, %d kills, %d delivered, %d duplicates%n", MESSAGES, kills,
                    mx.messages.size(), duplicates);
            // A kill can catch at most the transactions in flight between the remote 250 and the DELETE.
            assertThat(duplicates).isLessThanOrEqualTo(kills * MAX_CONNECTIONS);
        }
    }

    private static int remaining(Path data) throws Exception {
        try (SqliteOutboundQueue q = SqliteOutboundQueue.openAdmin(data)) {
            return q.list().size();
        }
    }
}
