package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.dns.StaticZone;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.core.testing.MutableClock;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edge relay: a Moat on port 25 accepts mail for a relay domain and forwards it, by
 * {@code delivery.transports}, to an internal server (a second real Moat on loopback, where
 * relay.example is a local domain with the user carol), never to the domain's MX.
 */
class EdgeRelayTest {
    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    static final String CAROL_PASSWORD = "carol-password-333";

    /**
     * The internal server: relay.example is local there, with carol. It trusts its edge (loopback
     * here) as README "Edge relay" asks: otherwise its perimeter judges the edge as a stranger (here
     * the same HELO name as its own: helo.forged, a 550 the edge can only log, never bounce).
     */
    static TestServer internal(Path dir, String... toml) throws Exception {
        String[] all = java.util.Arrays.copyOf(toml, toml.length + 1);
        all[toml.length] = "smtp.trusted_networks = [\"127.0.0.1/32\"]";
        TestServer s = TestServer.start(dir, all);
        if (!s.store().isLocalDomain(Domain.of("relay.example"))) {
            s.store().addDomain(Domain.of("relay.example"));
            s.store().addUser(EmailAddress.of("carol@relay.example"), CAROL_PASSWORD.toCharArray());
        }
        return s;
    }

    /** One message over port 25; returns the reply to each RCPT, then the end-of-data reply (or "" when none was accepted). */
    static java.util.List<String> send(int port, String from, String subject, String... rcpts) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (SmtpClient c = new SmtpClient("127.0.0.1", port)) {
            assertThat(c.reply().getLast()).startsWith("220 ");
            assertThat(c.cmd("EHLO client.sender.example")).startsWith("250 ");
            assertThat(c.cmd("MAIL FROM:<" + from + ">")).startsWith("250 ");
            boolean any = false;
            for (String r : rcpts) {
                String reply = c.cmd("RCPT TO:<" + r + ">");
                out.add(reply);
                any |= reply.startsWith("250 ");
            }
            if (any) {
                assertThat(c.cmd("DATA")).startsWith("354 ");
                out.add(c.cmd("From: <" + from + ">\r\nSubject: " + subject + "\r\n\r\nthrough the edge\r\n."));
            } else {
                out.add("");
            }
            c.cmd("QUIT");
        }
        return out;
    }

    @Test
    void mailForARelayDomainGoesToItsInternalServerAndOnlyKnownRecipientsAreAccepted() throws Exception {
        try (TestServer inside = internal(dir.resolve("internal"));
             TestServer edge = TestServer.start(dir.resolve("edge"), StaticZone.builder().build(), clock,
                     "delivery.transports = [\"relay.example = [127.0.0.1]:" + inside.port(Listener.MX) + "\"]",
                     "smtp.relay_recipients = [\"carol@relay.example\"]", "delivery.command_timeout = \"5s\"")) {
            // No MX exists for relay.example (the resolver answers NXDOMAIN): only the transport can route it.
            assertThat(send(edge.port(Listener.MX), "someone@sender.example", "edge one",
                    "carol@relay.example", "dave@relay.example", "CAROL@relay.example"))
                    .satisfies(r -> {
                        assertThat(r.get(0)).startsWith("250 ");
                        assertThat(r.get(1)).startsWith("550 5.1.1");
                        assertThat(r.get(2)).startsWith("250 ");
                        assertThat(r.get(3)).startsWith("250 ");
                    });
            // carol and CAROL are one recipient (case-folded key): one queue row.
            assertThat(edge.store().outboundQueue().list()).singleElement()
                    .satisfies(e -> assertThat(e.recipient().key()).isEqualTo("carol@relay.example"));
            assertThat(edge.server().queueRunner().runOnce()).isEqualTo(1);
            assertThat(edge.store().outboundQueue().list()).isEmpty();
            assertThat(inside.inbox("carol@relay.example")).as(String.join("\n", inside.auditLines())).singleElement()
                    .satisfies(m -> assertThat(m).contains("Subject: edge one").contains("through the edge"));
            // Opportunistic STARTTLS to the internal hop, as to any MX (its self-signed certificate is recorded unverified).
            assertThat(String.join("\n", edge.auditLines())).contains("\"result\":\"delivered\"").contains("\"tls\":true")
                    .contains("\"mx\":\"127.0.0.1\"");
        }
    }

    @Test
    void aRecipientTheInternalServerRefusesIsNeverBouncedToTheUnauthenticatedSender() throws Exception {
        try (TestServer inside = internal(dir.resolve("internal"));
             TestServer edge = TestServer.start(dir.resolve("edge"), StaticZone.builder().build(), clock,
                     "delivery.transports = [\"relay.example = [127.0.0.1]:" + inside.port(Listener.MX) + "\"]",
                     "delivery.command_timeout = \"5s\"")) {
            // No smtp.relay_recipients: the edge accepts any relay.example recipient; the sender claims to be a local user.
            assertThat(send(edge.port(Listener.MX), "alice@example.org", "to nobody", "nobody@relay.example").getFirst())
                    .startsWith("250 ");
            edge.server().queueRunner().runOnce();
            assertThat(edge.store().outboundQueue().list()).isEmpty(); // the 550 ends the row
            assertThat(edge.inbox("alice@example.org")).isEmpty(); // no backscatter to the (forgeable) sender
            assertThat(String.join("\n", edge.auditLines())).contains("\"result\":\"failed\"")
                    .contains("\"code\":550,\"status\":\"5.1.1\"")
                    .contains("\"result\":\"suppressed\"");
        }
    }
}
