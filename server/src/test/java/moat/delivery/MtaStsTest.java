package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.dns.StaticZone;
import moat.core.testing.MutableClock;
import moat.server.testing.TestServer;
import moat.server.tls.TlsContext;
import moat.store.MailStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MTA-STS (RFC 8461) end to end: policies served over HTTPS on loopback by a certificate of a
 * test CA (trusted through delivery.tls_ca_file), a real Postfix with a certificate of the same
 * CA as the MX of the domain that enforces, the self-signed Postfix of the other tests as an MX
 * that fails verification.
 */
class MtaStsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final EmailAddress ALICE = EmailAddress.of("alice@example.org");

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    @Test
    void policyParsingAndMxMatchingFollowRfc8461() throws Exception {
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\n"
                + "mx: *.example.net\r\nmax_age: 86400\r\nextension: ignored\r\n").orElseThrow();
        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(p.matches("MX1.example.com.")).isTrue();
        assertThat(p.matches("a.example.net")).isTrue();
        assertThat(p.matches("a.b.example.net")).isFalse();
        assertThat(p.matches("example.net")).isFalse();
        assertThat(MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmax_age: 1\n")).as("mx required").isEmpty();
        assertThat(MtaStsPolicy.parse("version: STSv2\nmode: enforce\nmx: a\nmax_age: 1\n")).isEmpty();
        assertThat(MtaStsPolicy.parse("version: STSv1\nmode: sometimes\nmx: a\nmax_age: 1\n")).isEmpty();
        assertThat(MtaStsPolicy.parse("version: STSv1\nmode: none\nmax_age: 9999999999\n").orElseThrow().maxAgeSeconds())
                .isEqualTo(MtaStsPolicy.MAX_AGE_LIMIT);
        assertThat(MtaSts.id(List.of("v=STSv1; id=abc123"))).contains("abc123");
        assertThat(MtaSts.id(List.of("v=STSv1; id=a", "v=STSv1; id=b"))).as("two records: none").isEmpty();
        assertThat(MtaSts.id(List.of("v=STSv1; id=bad-id!"))).isEmpty();
        String chunked = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        assertThat(MtaSts.parseResponse(new ByteArrayInputStream(chunked.getBytes(StandardCharsets.US_ASCII))))
                .contains("hello world");
        String redirect = "HTTP/1.1 301 Moved\r\nLocation: https://evil.example/\r\nContent-Type: text/plain\r\n\r\n";
        assertThat(MtaSts.parseResponse(new ByteArrayInputStream(redirect.getBytes(StandardCharsets.US_ASCII)))).isEmpty();
        String html = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\nversion: STSv1\r\n";
        assertThat(MtaSts.parseResponse(new ByteArrayInputStream(html.getBytes(StandardCharsets.US_ASCII)))).isEmpty();
    }

    /** A test CA and one leaf for every name the test serves TLS for. */
    Path[] certificates() throws Exception {
        Path d = Files.createDirectories(dir.resolve("pki"));
        PrivatePostfix.run(d, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-days", "2", "-subj", "/CN=Moat Test CA", "-keyout", "ca.key", "-out", "ca.pem",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
        PrivatePostfix.run(d, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", "/CN=mx.sts.example", "-keyout", "leaf.key", "-out", "leaf.csr");
        Files.writeString(d.resolve("ext.cnf"), "subjectAltName=DNS:mx.sts.example,DNS:mta-sts.sts.example,"
                + "DNS:mta-sts.bad.example,DNS:mta-sts.other.example\nextendedKeyUsage=serverAuth\n");
        PrivatePostfix.run(d, "openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-out", "leaf.pem", "-extfile", "ext.cnf");
        return new Path[] {d.resolve("ca.pem"), d.resolve("leaf.pem"), d.resolve("leaf.key")};
    }

    static HttpsServer policyServer(Path cert, Path key, Map<String, String> policies) throws Exception {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.7"), 0), 10);
        https.setHttpsConfigurator(new HttpsConfigurator(TlsContext.open(cert, key, List.of("TLSv1.3", "TLSv1.2")).current()));
        https.createContext("/.well-known/mta-sts.txt", ex -> {
            String host = ex.getRequestHeaders().getFirst("Host");
            String body = policies.get(host);
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(body == null ? 404 : 200, b.length == 0 ? -1 : b.length);
            if (b.length > 0) ex.getResponseBody().write(b);
            ex.close();
        });
        https.start();
        return https;
    }

    String enqueue(TestServer s, String rcpt) throws Exception {
        MailStore.Draft d = s.store().begin();
        d.out().write(("From: alice@example.org\r\nSubject: sts to " + rcpt + "\r\n\r\nhi\r\n").getBytes(StandardCharsets.UTF_8));
        d.out().close();
        return s.store().commit(d, new MailStore.Delivery(Optional.of(ALICE), List.of(), List.of(EmailAddress.of(rcpt)),
                clock.instant(), Optional.of(ALICE)));
    }

    @Test
    void anEnforcedPolicyAllowsOnlyListedMxHostsWithVerifiedTls() throws Exception {
        Path[] pki = certificates();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.6"))) {
            port = probe.getLocalPort();
        }
        String policy = "version: STSv1\nmode: enforce\nmx: %s\nmax_age: 86400\n";
        HttpsServer https = policyServer(pki[1], pki[2], Map.of(
                "mta-sts.sts.example", policy.formatted("mx.sts.example"),
                "mta-sts.bad.example", policy.formatted("mx.bad.example"),
                "mta-sts.other.example", policy.formatted("mx.allowed.example")));
        StaticZone zone = StaticZone.builder()
                .mx("sts.example", 10, "mx.sts.example").a("mx.sts.example", "127.0.0.6")
                .txt("_mta-sts.sts.example", "v=STSv1; id=20261125").a("mta-sts.sts.example", "127.0.0.7")
                // an MX whose certificate is self-signed: enforce mode must not send
                .mx("bad.example", 10, "mx.bad.example").a("mx.bad.example", "127.0.0.8")
                .txt("_mta-sts.bad.example", "v=STSv1; id=1").a("mta-sts.bad.example", "127.0.0.7")
                // an MX the policy does not list
                .mx("other.example", 10, "mx.other.example").a("mx.other.example", "127.0.0.6")
                .txt("_mta-sts.other.example", "v=STSv1; id=1").a("mta-sts.other.example", "127.0.0.7")
                .build();
        try (PrivatePostfix good = PrivatePostfix.start("127.0.0.6", port, "sts.example", pki[1], pki[2]);
             PrivatePostfix selfSigned = PrivatePostfix.start("127.0.0.8", port, "bad.example");
             TestServer s = TestServer.start(dir.resolve("moat"), zone, clock, "delivery.smtp_port = " + port,
                     "delivery.mta_sts_port = " + https.getAddress().getPort(),
                     "delivery.tls_ca_file = \"" + pki[0] + "\"", "delivery.command_timeout = \"5s\"",
                     "delivery.connect_timeout = \"2s\"")) {
            OutboundDeliveryTest.awaitPortOf("127.0.0.6", port, good);
            OutboundDeliveryTest.awaitPortOf("127.0.0.8", port, selfSigned);
            enqueue(s, "carol@sts.example");
            enqueue(s, "dave@bad.example");
            enqueue(s, "erin@other.example");
            s.server().queueRunner().runOnce();

            assertThat(good.awaitDelivered(1)).singleElement().satisfies(m -> assertThat(m).contains("sts to carol@sts.example"));
            List<JsonNode> attempts = events(s, "delivery.attempt");
            JsonNode carol = attempts.stream().filter(n -> n.path("recipient").asText().equals("carol@sts.example")).findFirst().orElseThrow();
            assertThat(carol.path("result").asText()).isEqualTo("delivered");
            assertThat(carol.path("tls_verified").asBoolean()).isTrue();
            assertThat(events(s, "delivery.mta_sts")).hasSize(3)
                    .allSatisfy(n -> assertThat(n.path("mode").asText()).isEqualTo("enforce"));

            assertThat(s.store().outboundQueue().list()).hasSize(2).allSatisfy(e -> assertThat(e.attempts()).isEqualTo(1));
            var left = s.store().outboundQueue().list();
            assertThat(left.stream().filter(e -> e.recipient().domain().ascii().equals("bad.example")).findFirst().orElseThrow()
                    .lastReply()).contains("certificate not verified");
            assertThat(left.stream().filter(e -> e.recipient().domain().ascii().equals("other.example")).findFirst().orElseThrow()
                    .lastReply()).startsWith("451 4.7.5").contains("no MX host matches");
            assertThat(selfSigned.delivered()).isEmpty();
            assertThat(String.join("\n", s.auditLines())).doesNotContain("retrying without TLS");
        } finally {
            https.stop(0);
        }
    }

    /**
     * RFC 8461 sections 5.1 and 10.2: a policy fetched before a restart is still enforced after
     * it, when the policy host is gone and the TXT record is missing, until its max_age ends. The
     * MX record then points at a host the policy does not list (an attacker's).
     */
    @Test
    void aCachedPolicySurvivesARestartWhenThePolicyHostIsGone() throws Exception {
        Path[] pki = certificates();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.23"))) {
            port = probe.getLocalPort();
        }
        HttpsServer https = policyServer(pki[1], pki[2], Map.of("mta-sts.sts.example",
                "version: STSv1\nmode: enforce\nmx: mx.sts.example\nmax_age: 86400\n"));
        StaticZone before = StaticZone.builder()
                .mx("sts.example", 10, "mx.sts.example").a("mx.sts.example", "127.0.0.23")
                .txt("_mta-sts.sts.example", "v=STSv1; id=20261125").a("mta-sts.sts.example", "127.0.0.7").build();
        // After the restart: no TXT, no policy host, and the MX moved to an unlisted host.
        StaticZone after = StaticZone.builder()
                .mx("sts.example", 10, "mx.evil.example").a("mx.evil.example", "127.0.0.24").build();
        String[] toml = {"delivery.smtp_port = " + port, "delivery.mta_sts_port = " + https.getAddress().getPort(),
                "delivery.tls_ca_file = \"" + pki[0] + "\"", "delivery.command_timeout = \"5s\"",
                "delivery.connect_timeout = \"2s\""};
        try (FakeMx listed = new FakeMx("127.0.0.23", port); FakeMx evil = new FakeMx("127.0.0.24", port)) {
            try (TestServer s = TestServer.start(dir.resolve("moat"), before, clock, toml)) {
                enqueue(s, "carol@sts.example");
                s.server().queueRunner().runOnce();
                // The listed MX offers no STARTTLS: enforce mode defers, but the policy is now cached.
                assertThat(events(s, "delivery.mta_sts")).singleElement()
                        .satisfies(n -> assertThat(n.path("mode").asText()).isEqualTo("enforce"));
                assertThat(listed.messages).isEmpty();
            } finally {
                https.stop(0);
            }
            assertThat(dir.resolve("moat/data/mta-sts-cache.json")).exists();
            clock.advance(java.time.Duration.ofHours(1));
            try (TestServer s = TestServer.start(dir.resolve("moat"), after, clock, toml)) {
                s.server().queueRunner().runOnce();
                assertThat(s.store().outboundQueue().list()).singleElement()
                        .satisfies(e -> assertThat(e.lastReply()).startsWith("451 4.7.5").contains("no MX host matches"));
                assertThat(evil.messages).isEmpty();
                // Section 5.1: cached until max_age; then the domain has no policy and gets opportunistic TLS.
                clock.advance(java.time.Duration.ofDays(1));
                s.server().queueRunner().runOnce();
                assertThat(s.store().outboundQueue().list()).isEmpty();
                assertThat(evil.messages).singleElement().satisfies(m -> assertThat(m).contains("sts to carol@sts.example"));
            }
            // Control: without the cached policy the same DNS sends straight to the unlisted host.
            try (TestServer s = TestServer.start(dir.resolve("fresh"), after, clock, toml)) {
                enqueue(s, "dave@sts.example");
                s.server().queueRunner().runOnce();
                assertThat(evil.messages).hasSize(2);
            }
        }
    }

    @Test
    void aDamagedCacheFileIsReportedAndIgnored() throws Exception {
        Path f = dir.resolve("cache.json");
        List<Exception> errors = new ArrayList<>();
        MtaStsCache c = new MtaStsCache(f, errors::add);
        Instant now = clock.instant();
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: *.a.example\nmax_age: 600\n").orElseThrow();
        c.save(List.of(new MtaStsCache.Entry("a.example", "x1", p, now.plusSeconds(600)),
                new MtaStsCache.Entry("b.example", "x2", p, now.minusSeconds(1))));
        assertThat(c.load(now)).as("the expired one is dropped").singleElement()
                .satisfies(e -> assertThat(e.policy()).isEqualTo(p));
        Files.writeString(f, Files.readString(f).replace("\"x1\"", "\"bad id!\""));
        assertThat(c.load(now)).isEmpty();
        assertThat(errors).isEmpty();
        Files.writeString(f, "{not json");
        assertThat(c.load(now)).isEmpty();
        assertThat(errors).hasSize(1);
    }

    List<JsonNode> events(TestServer s, String name) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : s.auditLines()) {
            JsonNode n = JSON.readTree(l);
            if (n.path("event").asText().equals(name)) out.add(n);
        }
        return out;
    }
}
