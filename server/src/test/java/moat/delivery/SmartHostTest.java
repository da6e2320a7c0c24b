package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.dns.StaticZone;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.core.testing.MutableClock;
import moat.server.testing.TestServer;
import moat.store.MailStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smart host: every remote message goes to one relay on its submission port, over STARTTLS with
 * AUTH PLAIN. The relay is a second real Moat (its 587 listener requires TLS and AUTH, and checks
 * that the sender belongs to the authenticated user).
 */
class SmartHostTest {
    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    static String enqueue(TestServer s, Instant now, String rcpt) throws Exception {
        MailStore store = s.store();
        MailStore.Draft d = store.begin();
        d.out().write("From: alice@example.org\r\nSubject: via the smart host\r\n\r\nhi\r\n".getBytes(StandardCharsets.UTF_8));
        d.out().close();
        EmailAddress alice = EmailAddress.of("alice@example.org");
        return store.commit(d, new MailStore.Delivery(Optional.of(alice), List.of(), List.of(EmailAddress.of(rcpt)), now,
                Optional.of(alice)));
    }

    @Test
    void relaysThroughTheSmartHostWithAuthInsideTls() throws Exception {
        try (TestServer relay = TestServer.start(dir.resolve("relay"))) {
            Files.createDirectories(dir.resolve("a/data"));
            Files.writeString(dir.resolve("a/data/relay-password"), TestServer.ALICE_PASSWORD + "\n");
            try (TestServer a = TestServer.start(dir.resolve("a"), StaticZone.builder().build(), clock,
                    "delivery.relay_host = \"127.0.0.1\"", "delivery.relay_port = " + relay.port(Listener.SUBMISSION),
                    "delivery.relay_user = \"alice@example.org\"", "delivery.relay_require_verified = false",
                    "delivery.command_timeout = \"5s\"")) {
                enqueue(a, clock.instant(), "bob@example.org");
                assertThat(a.server().queueRunner().runOnce()).isEqualTo(1);
                assertThat(a.store().outboundQueue().list()).isEmpty();
                assertThat(relay.inbox("bob@example.org")).singleElement()
                        .satisfies(m -> assertThat(m).contains("Subject: via the smart host")
                                .contains("authenticated as alice@example.org").contains("ESMTPSA"));
                assertThat(String.join("\n", a.auditLines())).contains("\"tls_verified\":false")
                        .doesNotContain(TestServer.ALICE_PASSWORD);
            }
        }
    }

    @Test
    void aWrongPasswordOrAnUnverifiedCertificateDefersAndNeverBounces() throws Exception {
        try (TestServer relay = TestServer.start(dir.resolve("relay"))) {
            Files.createDirectories(dir.resolve("a/data"));
            Files.writeString(dir.resolve("a/data/relay-password"), "wrong-password\n");
            try (TestServer a = TestServer.start(dir.resolve("a"), StaticZone.builder().build(), clock,
                    "delivery.relay_host = \"127.0.0.1\"", "delivery.relay_port = " + relay.port(Listener.SUBMISSION),
                    "delivery.relay_user = \"alice@example.org\"", "delivery.relay_require_verified = false",
                    "delivery.command_timeout = \"5s\"")) {
                enqueue(a, clock.instant(), "bob@example.org");
                a.server().queueRunner().runOnce();
                assertThat(a.store().outboundQueue().list()).singleElement()
                        .satisfies(e -> assertThat(e.lastReply()).startsWith("451 4.4.1").contains("AUTH refused: 535"));
                assertThat(a.inbox("alice@example.org")).isEmpty();
            }
            try (TestServer b = TestServer.start(dir.resolve("b"), StaticZone.builder().build(), clock,
                    "delivery.relay_host = \"127.0.0.1\"", "delivery.relay_port = " + relay.port(Listener.SUBMISSION),
                    "delivery.command_timeout = \"5s\"")) {
                enqueue(b, clock.instant(), "bob@example.org");
                b.server().queueRunner().runOnce();
                assertThat(b.store().outboundQueue().list()).singleElement()
                        .satisfies(e -> assertThat(e.lastReply()).contains("certificate not verified"));
            }
        }
    }
}
