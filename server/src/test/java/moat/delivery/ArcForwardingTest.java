package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import moat.auth.arc.ArcResult;
import moat.auth.arc.ArcVerifier;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.dns.StaticZone;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.mailauth.DkimKeyStore;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import moat.store.MailStore;
import moat.store.OutboundQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alias that points off-site (TestServer: info@example.org -> someone@elsewhere.example):
 * mail received on port 25 leaves with an ARC set sealed by example.org's DKIM key, which
 * Moat's {@link ArcVerifier} validates (cv=pass, i=1) against the published key; the stored
 * message is unchanged and mail that was not forwarded leaves unsealed. Real sockets: Moat on
 * loopback, an in-JVM MX ({@link FakeMx}) on 127.0.0.5.
 */
class ArcForwardingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aliasForwardedMailIsArcSealedAndVerifies() throws Exception {
        List<DkimKeyStore.Published> published = new DkimKeyStore(tmp.resolve("data"))
                .generate(Domain.of("example.org"), "moat-ed", "moat-rsa", 2048, LocalDate.of(2026, 11, 25));
        StaticZone.Builder zb = StaticZone.builder()
                .txt("sender.example", "v=spf1 ip4:127.0.0.1 -all")
                .mx("elsewhere.example", 10, "mx.elsewhere.example").a("mx.elsewhere.example", "127.0.0.5");
        published.forEach(p -> zb.txt(p.name(), p.record()));
        StaticZone zone = zb.build();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.5"))) {
            port = probe.getLocalPort();
        }
        String message = "From: Bob <bob@sender.example>\r\nTo: info@example.org\r\nSubject: forwarded\r\n"
                + "Date: Wed, 25 Nov 2026 12:00:00 +0000\r\nMessage-ID: <fwd-1@sender.example>\r\n\r\n"
                + "Hello info,\r\n..a dot-stuffed line\r\n";
        try (FakeMx mx = new FakeMx("127.0.0.5", port);
             TestServer s = TestServer.start(tmp, zone, Clock.systemUTC(), "delivery.smtp_port = " + port)) {
            try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
                c.reply();
                c.cmd("EHLO client.sender.example");
                assertThat(c.cmd("MAIL FROM:<bob@sender.example>")).startsWith("250");
                assertThat(c.cmd("RCPT TO:<info@example.org>")).startsWith("250");
                assertThat(c.cmd("DATA")).startsWith("354");
                assertThat(c.cmd(message + ".")).startsWith("250");
            }
            OutboundQueue q = s.store().outboundQueue();
            OutboundQueue.Entry row = q.list().getFirst();
            assertThat(row.recipient()).isEqualTo(EmailAddress.of("someone@elsewhere.example"));
            assertThat(row.forwardedBy()).contains(EmailAddress.of("info@example.org"));
            String stored;
            try (InputStream in = q.openBody(row.bodyId())) {
                stored = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(stored).contains("Authentication-Results: ").doesNotContain("ARC-");

            // Mail that no alias forwarded (here: as if submitted) must go out without a set.
            MailStore.Draft d = s.store().begin();
            d.out().write(message.replace("forwarded", "direct").getBytes(StandardCharsets.UTF_8));
            d.out().close();
            s.store().commit(d, new MailStore.Delivery(Optional.of(EmailAddress.of("alice@example.org")), List.of(),
                    List.of(EmailAddress.of("carol@elsewhere.example")), Clock.systemUTC().instant(),
                    Optional.of(EmailAddress.of("alice@example.org"))));

            assertThat(s.server().queueRunner().runOnce()).isEqualTo(2);
            assertThat(mx.messages).hasSize(2);
            String sent = mx.messages.stream().filter(m -> m.contains("Subject: forwarded")).findFirst().orElseThrow();
            String direct = mx.messages.stream().filter(m -> m.contains("Subject: direct")).findFirst().orElseThrow();
            assertThat(direct).doesNotContain("ARC-");
            assertThat(sent).startsWith("ARC-Seal: ").endsWith(stored);
            assertThat(sent).containsPattern("ARC-Authentication-Results: i=1; mx\\.test\\.example;\\s+spf=pass smtp\\.mailfrom=sender\\.example;")
                    .contains("d=example.org").contains("a=rsa-sha256").contains("cv=none");

            ArcResult r = new ArcVerifier(zone, Clock.systemUTC()).verify(sent.getBytes(StandardCharsets.UTF_8));
            assertThat(r.cv()).as(r.reason()).isEqualTo(ArcResult.Code.PASS);
            assertThat(r.instances()).isEqualTo(1);
            assertThat(r.oldestPassDomain()).contains("example.org");
            // A changed body must break the chain, or the pass above would mean nothing.
            ArcResult tampered = new ArcVerifier(zone, Clock.systemUTC())
                    .verify(sent.replace("Hello info", "Hello Eve!").getBytes(StandardCharsets.UTF_8));
            assertThat(tampered.cv()).isEqualTo(ArcResult.Code.FAIL);

            assertThat(q.list()).as("delivered rows are gone").isEmpty();
            JsonNode arc = s.auditLines().stream().map(ArcForwardingTest::json)
                    .filter(n -> n.path("event").asText().equals("delivery.arc")).findFirst().orElseThrow();
            assertThat(arc.path("domain").asText()).isEqualTo("example.org");
            assertThat(arc.path("cv").asText()).isEqualTo("none");
            assertThat(arc.path("selector").asText()).startsWith("moat-rsa-");
        }
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
