package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import moat.core.dns.StaticZone;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.core.testing.MutableClock;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Moat nodes as primary and secondary MX of relay.example (README "Backup MX"): the primary
 * holds the mailboxes; the secondary lists the domain in smtp.relay_domains, accepts only the
 * recipients in smtp.relay_recipients, queues while the primary is down, and delivers to it (by
 * delivery.transports) once it is back, exactly once.
 */
class BackupMxTest {
    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    @Test
    void theSecondaryQueuesWhileThePrimaryIsDownAndDeliversOnceItIsBack() throws Exception {
        int primaryPort;
        // Start the primary once to create its mailboxes and learn its port 25, then take it down.
        try (TestServer primary = EdgeRelayTest.internal(dir.resolve("primary"))) {
            primaryPort = primary.port(Listener.MX);
        }
        try (TestServer secondary = TestServer.start(dir.resolve("secondary"), StaticZone.builder().build(), clock,
                "delivery.transports = [\"relay.example = [127.0.0.1]:" + primaryPort + "\"]",
                "smtp.relay_recipients = [\"carol@relay.example\"]",
                "delivery.connect_timeout = \"2s\"", "delivery.command_timeout = \"5s\"")) {
            assertThat(EdgeRelayTest.send(secondary.port(Listener.MX), "someone@sender.example", "while down",
                    "carol@relay.example", "dave@relay.example")).satisfies(r -> {
                        assertThat(r.get(0)).startsWith("250 ");
                        assertThat(r.get(1)).startsWith("550 5.1.1"); // unknown to the primary: refused now, not later
                        assertThat(r.get(2)).startsWith("250 ");
                    });
            // The primary is down: connection refused, the row is deferred (never failed, never bounced).
            assertThat(secondary.server().queueRunner().runOnce()).isEqualTo(1);
            assertThat(secondary.store().outboundQueue().list()).singleElement().satisfies(e -> {
                assertThat(e.attempts()).isEqualTo(1);
                assertThat(e.lastReply()).startsWith("4");
                assertThat(e.nextAttempt()).isAfter(clock.instant());
            });
            // Before the back-off ends, nothing is due.
            assertThat(secondary.server().queueRunner().runOnce()).isZero();

            // The primary comes back on the port the secondary knows.
            try (TestServer primary = EdgeRelayTest.internal(dir.resolve("primary"), "listener.smtp_port = " + primaryPort)) {
                assertThat(primary.inbox("carol@relay.example")).isEmpty();
                clock.advance(Duration.ofMinutes(10)); // past retry_initial (5 min) with its +20% jitter
                assertThat(secondary.server().queueRunner().runOnce()).isEqualTo(1);
                assertThat(secondary.store().outboundQueue().list()).isEmpty();
                clock.advance(Duration.ofHours(2));
                assertThat(secondary.server().queueRunner().runOnce()).isZero();
                assertThat(primary.inbox("carol@relay.example")).singleElement()
                        .satisfies(m -> assertThat(m).contains("Subject: while down").contains("through the edge"));
            }
        }
    }
}
