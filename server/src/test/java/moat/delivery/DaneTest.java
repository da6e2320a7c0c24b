package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.dns.StaticZone;
import moat.core.testing.MutableClock;
import moat.server.testing.TestServer;
import moat.store.MailStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DANE (RFC 7672) with a real Postfix whose certificate is self-signed: a validated
 * {@code 3 1 1} TLSA record of its key authenticates it; a wrong one forbids delivery to it (no
 * plaintext retry); the same records without DNSSEC validation change nothing.
 */
class DaneTest {
    static final EmailAddress ALICE = EmailAddress.of("alice@example.org");
    static PrivatePostfix postfix;
    static int port;
    static String spkiSha256;

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    @BeforeAll
    static void start() throws Exception {
        postfix = PrivatePostfix.startOnFreePort("127.0.0.9", "dane.example");
        port = postfix.port;
        OutboundDeliveryTest.awaitPortOf("127.0.0.9", port, postfix);
        try (InputStream in = Files.newInputStream(postfix.root.resolve("cert.pem"))) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            spkiSha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) postfix.close();
    }

    StaticZone zone(String tlsaHex, boolean validated) {
        return StaticZone.builder().mx("dane.example", 10, "mx.dane.example").a("mx.dane.example", "127.0.0.9")
                .tlsa("_" + port + "._tcp.mx.dane.example", 3, 1, 1, tlsaHex).dnssecAuthenticated(validated).build();
    }

    TestServer start(StaticZone z, String name) throws Exception {
        return start(dir.resolve(name), z, clock, port);
    }

    /** A server whose remote MX port is {@code port}, with the short timeouts of the DANE tests. */
    static TestServer start(Path dir, StaticZone z, java.time.Clock clock, int port) throws Exception {
        return TestServer.start(dir, z, clock, "delivery.smtp_port = " + port,
                "delivery.command_timeout = \"5s\"", "delivery.connect_timeout = \"2s\"");
    }

    void enqueue(TestServer s, String subject) throws Exception {
        enqueue(s, subject, "zoe@dane.example", clock.instant());
    }

    /** Queues a message alice submitted (so a failure reaches her as a DSN) for {@code rcpt}. */
    static void enqueue(TestServer s, String subject, String rcpt, Instant at) throws Exception {
        MailStore.Draft d = s.store().begin();
        d.out().write(("From: alice@example.org\r\nSubject: " + subject + "\r\n\r\nhi\r\n").getBytes(StandardCharsets.UTF_8));
        d.out().close();
        s.store().commit(d, new MailStore.Delivery(Optional.of(ALICE), List.of(),
                List.of(EmailAddress.of(rcpt)), at, Optional.of(ALICE)));
    }

    @Test
    void aMatchingValidatedTlsaRecordAuthenticatesASelfSignedMx() throws Exception {
        try (TestServer s = start(zone(spkiSha256, true), "match")) {
            int before = postfix.delivered().size();
            enqueue(s, "dane match");
            s.server().queueRunner().runOnce();
            assertThat(postfix.awaitDelivered(before + 1).stream().filter(m -> m.contains("Subject: dane match"))).hasSize(1);
            String audit = String.join("\n", s.auditLines());
            assertThat(audit).contains("\"event\":\"delivery.dane\"").contains("\"requirement\":\"authenticate\"")
                    .contains("\"tls_verified\":true");
        }
    }

    @Test
    void aMismatchDefersWithoutPlaintextAndWithoutDnssecDaneDoesNotApply() throws Exception {
        String wrong = "00".repeat(32);
        try (TestServer s = start(zone(wrong, true), "mismatch")) {
            enqueue(s, "dane mismatch");
            s.server().queueRunner().runOnce();
            assertThat(s.store().outboundQueue().list()).singleElement()
                    .satisfies(e -> assertThat(e.lastReply()).startsWith("451 4.4.1").contains("DANE"));
            assertThat(String.join("\n", s.auditLines())).doesNotContain("retrying without TLS");
        }
        assertThat(postfix.delivered()).noneMatch(m -> m.contains("Subject: dane mismatch"));
        try (TestServer s = start(zone(wrong, false), "insecure")) {
            int before = postfix.delivered().size();
            enqueue(s, "dane insecure");
            s.server().queueRunner().runOnce();
            assertThat(postfix.awaitDelivered(before + 1).stream().filter(m -> m.contains("Subject: dane insecure"))).hasSize(1);
            assertThat(String.join("\n", s.auditLines())).doesNotContain("delivery.dane").contains("\"tls_verified\":false");
        }
    }
}
