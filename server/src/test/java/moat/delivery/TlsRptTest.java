package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.time.LocalDate;
import moat.auth.dkim.DkimResult;
import moat.auth.dkim.DkimSettings;
import moat.auth.dkim.DkimVerifier;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.dns.StaticZone;
import moat.core.testing.MutableClock;
import moat.server.mailauth.DkimKeyStore;
import moat.server.testing.TestServer;
import moat.store.MailStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS-RPT (RFC 8460) end to end on loopback: a DANE domain whose MX offers no STARTTLS (a
 * failure), a domain without policy whose real Postfix MX speaks TLS (a success), asking for
 * reports at the failing domain itself and at {@code tlsrpt@reports.example}; after the UTC day ends (injected clock) Moat
 * queues one report per domain through its own queue, and the report that reaches the reports
 * MX is read back: multipart/report, gzip'd JSON with the fields of section 4.4.
 */
class TlsRptTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final EmailAddress ALICE = EmailAddress.of("alice@example.org");

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    void enqueue(TestServer s, String rcpt) throws Exception {
        MailStore.Draft d = s.store().begin();
        d.out().write(("From: alice@example.org\r\nSubject: to " + rcpt + "\r\n\r\nhi\r\n").getBytes(StandardCharsets.UTF_8));
        d.out().close();
        s.store().commit(d, new MailStore.Delivery(Optional.of(ALICE), List.of(), List.of(EmailAddress.of(rcpt)),
                clock.instant(), Optional.of(ALICE)));
    }

    @Test
    void dailyReportsReachTheRuaAddressAsGzippedJson() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.25"))) {
            port = probe.getLocalPort();
        }
        String rua = "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example,https://reports.example/tlsrpt";
        // Section 3: reports carry a DKIM signature of the reporting domain (the sender's, example.org).
        List<DkimKeyStore.Published> published = new DkimKeyStore(dir.resolve("moat/data"))
                .generate(Domain.of("example.org"), "moat-ed", "moat-rsa", 2048, LocalDate.of(2026, 11, 25));
        StaticZone.Builder zb = StaticZone.builder();
        published.forEach(p -> zb.txt(p.name(), p.record()));
        StaticZone zone = zb
                .mx("rpt.example", 10, "mx.rpt.example").a("mx.rpt.example", "127.0.0.25")
                .tlsa("_" + port + "._tcp.mx.rpt.example", 3, 1, 1, "00".repeat(32))
                // RFC 8460 section 3: the report to a domain whose TLS fails must reach it all the same
                .txt("_smtp._tls.rpt.example", "v=TLSRPTv1; rua=mailto:tlsrpt@rpt.example")
                .mx("ok.example", 10, "mx.ok.example").a("mx.ok.example", "127.0.0.27")
                .txt("_smtp._tls.ok.example", rua)
                .mx("reports.example", 10, "mx.reports.example").a("mx.reports.example", "127.0.0.26")
                .dnssecAuthenticated(true).build();
        try (FakeMx noTls = new FakeMx("127.0.0.25", port); FakeMx reports = new FakeMx("127.0.0.26", port);
             PrivatePostfix ok = PrivatePostfix.start("127.0.0.27", port, "ok.example");
             TestServer s = TestServer.start(dir.resolve("moat"), zone, clock, "delivery.smtp_port = " + port,
                     "delivery.command_timeout = \"5s\"", "delivery.connect_timeout = \"2s\"",
                     "delivery.tlsrpt_organization = \"Moat Test Org\"", "delivery.tlsrpt_sender = \"tls-reports@example.org\"")) {
            OutboundDeliveryTest.awaitPortOf("127.0.0.27", port, ok);
            enqueue(s, "zoe@rpt.example");
            enqueue(s, "yan@ok.example");
            s.server().queueRunner().runOnce();
            ok.awaitDelivered(1);
            assertThat(noTls.messages).isEmpty();
            TlsRpt rpt = s.server().queueRunner().tlsRpt().orElseThrow();
            assertThat(rpt.sendDue()).as("the day is not over").isZero();

            clock.advance(Duration.ofDays(1)); // 2026-11-26 10:00Z: the 25th is over
            assertThat(rpt.sendDue()).isEqualTo(2);
            s.server().queueRunner().runOnce();
            assertThat(reports.messages).as("ok.example's report").hasSize(1);
            assertThat(noTls.messages).as("rpt.example's report, in plaintext despite DANE").hasSize(1);

            JsonNode rptReport = null;
            JsonNode okReport = null;
            for (String m : List.of(reports.messages.getFirst(), noTls.messages.getFirst())) {
                assertThat(m).contains("Content-Type: multipart/report; report-type=\"tlsrpt\";")
                        .contains("Content-Type: application/tlsrpt+gzip").contains("TLS-Report-Submitter: mx.test.example")
                        .contains("From: tls-reports@example.org");
                String domain = header(m, "TLS-Report-Domain");
                assertThat(m).contains("Subject: Report Domain: " + domain + " Submitter: mx.test.example Report-ID: <")
                        .containsPattern("filename=\"mx\\.test\\.example!" + Pattern.quote(domain) + "!1795564800!1795651199\\.json\\.gz\"");
                List<DkimResult> dkim = new DkimVerifier(zone, DkimSettings.defaults(), clock)
                        .verify(m.getBytes(StandardCharsets.US_ASCII));
                assertThat(dkim).isNotEmpty().allSatisfy(r -> {
                    assertThat(r.result()).as(r.toString()).isEqualTo(DkimResult.Code.PASS);
                    assertThat(r.domain()).isEqualTo("example.org");
                });
                JsonNode report = gunzipJson(m);
                if (domain.equals("rpt.example")) rptReport = report;
                else if (domain.equals("ok.example")) okReport = report;
            }
            assertThat(rptReport).isNotNull();
            assertThat(okReport).isNotNull();
            for (JsonNode r : List.of(rptReport, okReport)) {
                assertThat(r.path("organization-name").asText()).isEqualTo("Moat Test Org");
                assertThat(r.path("date-range").path("start-datetime").asText()).isEqualTo("2026-11-25T00:00:00Z");
                assertThat(r.path("date-range").path("end-datetime").asText()).isEqualTo("2026-11-25T23:59:59Z");
                assertThat(r.path("contact-info").asText()).isEqualTo("tls-reports@example.org");
                assertThat(r.path("report-id").asText()).isNotBlank();
                assertThat(r.path("policies")).hasSize(1);
            }
            JsonNode p = rptReport.path("policies").get(0);
            assertThat(p.path("policy").path("policy-type").asText()).isEqualTo("tlsa");
            assertThat(p.path("policy").path("policy-domain").asText()).isEqualTo("rpt.example");
            assertThat(p.path("policy").path("policy-string").get(0).asText()).isEqualTo("3 1 1 " + "00".repeat(32));
            assertThat(p.path("summary").path("total-successful-session-count").asLong()).isZero();
            assertThat(p.path("summary").path("total-failure-session-count").asLong()).isEqualTo(1);
            JsonNode detail = p.path("failure-details").get(0);
            assertThat(detail.path("result-type").asText()).isEqualTo("starttls-not-supported");
            assertThat(detail.path("receiving-mx-hostname").asText()).isEqualTo("mx.rpt.example");
            assertThat(detail.path("receiving-ip").asText()).isEqualTo("127.0.0.25");
            assertThat(detail.path("failed-session-count").asLong()).isEqualTo(1);

            JsonNode q = okReport.path("policies").get(0);
            assertThat(q.path("policy").path("policy-type").asText()).isEqualTo("no-policy-found");
            assertThat(q.path("summary").path("total-successful-session-count").asLong()).isEqualTo(1);
            assertThat(q.path("summary").path("total-failure-session-count").asLong()).isZero();
            assertThat(q.has("failure-details")).isFalse();

            String audit = String.join("\n", s.auditLines());
            assertThat(audit).contains("\"event\":\"delivery.tlsrpt\"").contains("\"dkim_signed\":\"example.org:moat-").contains("https://reports.example/tlsrpt")
                    .contains("\"result\":\"queued\"");
            // The 26th: zoe's retry failed again; the session that carried the report is not counted.
            clock.advance(Duration.ofDays(1));
            assertThat(rpt.sendDue()).as("only rpt.example (reports.example publishes no record)").isEqualTo(1);
            s.server().queueRunner().runOnce();
            assertThat(noTls.messages).hasSize(2);
            JsonNode next = gunzipJson(noTls.messages.get(1)).path("policies").get(0);
            assertThat(next.path("summary").path("total-failure-session-count").asLong()).isEqualTo(1);
            assertThat(next.path("summary").path("total-successful-session-count").asLong()).isZero();
        }
    }

    /** RFC 8460 section 4.3.2: an MTA-STS policy that cannot be fetched, a TLSA look-up that fails. */
    @Test
    void policyFetchErrorsAndFailedTlsaLookUpsAreReported() throws Exception {
        int port;
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.28"))) {
            port = probe.getLocalPort();
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.29"))) {
            closedPort = probe.getLocalPort(); // nothing listens there afterwards: the fetch is refused
        }
        String rua = "v=TLSRPTv1; rua=mailto:tlsrpt@fetch.example";
        StaticZone zone = StaticZone.builder()
                .mx("fetch.example", 10, "mx.fetch.example").a("mx.fetch.example", "127.0.0.28")
                .txt("_mta-sts.fetch.example", "v=STSv1; id=1").a("mta-sts.fetch.example", "127.0.0.29")
                .txt("_smtp._tls.fetch.example", rua)
                .mx("bogus.example", 10, "mx.bogus.example").a("mx.bogus.example", "127.0.0.28")
                .timeout("_" + port + "._tcp.mx.bogus.example")
                .txt("_smtp._tls.bogus.example", rua)
                .dnssecAuthenticated(true).build();
        try (FakeMx mx = new FakeMx("127.0.0.28", port);
             TestServer s = TestServer.start(dir.resolve("moat"), zone, clock, "delivery.smtp_port = " + port,
                     "delivery.mta_sts_port = " + closedPort, "delivery.command_timeout = \"5s\"",
                     "delivery.connect_timeout = \"2s\"")) {
            enqueue(s, "a@fetch.example");
            enqueue(s, "b@bogus.example");
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).as("no policy could be fetched: opportunistic").hasSize(1);
            clock.advance(Duration.ofDays(1));
            assertThat(s.server().queueRunner().tlsRpt().orElseThrow().sendDue()).isEqualTo(2);
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).hasSize(3);
            JsonNode fetch = null;
            JsonNode bogus = null;
            for (String m : mx.messages.subList(1, 3)) {
                if (header(m, "TLS-Report-Domain").equals("fetch.example")) fetch = gunzipJson(m);
                else bogus = gunzipJson(m);
            }
            assertThat(fetch.path("policies")).hasSize(2);
            for (JsonNode p : fetch.path("policies")) {
                JsonNode d = p.path("failure-details").get(0);
                if (p.path("policy").path("policy-type").asText().equals("sts")) {
                    assertThat(d.path("result-type").asText()).isEqualTo("sts-policy-fetch-error");
                    assertThat(d.has("receiving-mx-hostname")).isFalse();
                } else {
                    assertThat(p.path("policy").path("policy-type").asText()).isEqualTo("no-policy-found");
                    assertThat(d.path("result-type").asText()).isEqualTo("starttls-not-supported");
                    assertThat(d.path("receiving-mx-hostname").asText()).isEqualTo("mx.fetch.example");
                }
            }
            JsonNode b = bogus.path("policies").get(0);
            assertThat(b.path("policy").path("policy-type").asText()).isEqualTo("tlsa");
            assertThat(b.path("failure-details").get(0).path("result-type").asText()).isEqualTo("dnssec-invalid");
            assertThat(b.path("failure-details").get(0).path("receiving-mx-hostname").asText()).isEqualTo("mx.bogus.example");
        }
    }

    /** The day's counts survive a restart (delivery.tlsrpt_state); a damaged state file is reported and ignored. */
    @Test
    void countsSurviveARestart() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.30"))) {
            port = probe.getLocalPort();
        }
        StaticZone zone = StaticZone.builder()
                .mx("rpt.example", 10, "mx.rpt.example").a("mx.rpt.example", "127.0.0.30")
                .tlsa("_" + port + "._tcp.mx.rpt.example", 3, 1, 1, "00".repeat(32))
                .txt("_smtp._tls.rpt.example", "v=TLSRPTv1; rua=mailto:tlsrpt@rpt.example")
                .dnssecAuthenticated(true).build();
        String[] toml = {"delivery.smtp_port = " + port, "delivery.command_timeout = \"5s\"",
                "delivery.connect_timeout = \"2s\""};
        try (FakeMx mx = new FakeMx("127.0.0.30", port)) {
            try (TestServer s = TestServer.start(dir.resolve("moat"), zone, clock, toml)) {
                enqueue(s, "zoe@rpt.example");
                s.server().queueRunner().runOnce(); // one starttls-not-supported failure, then a graceful stop
            }
            assertThat(dir.resolve("moat/data/tlsrpt-state.json")).exists();
            clock.advance(Duration.ofDays(1));
            try (TestServer s = TestServer.start(dir.resolve("moat"), zone, clock, toml)) {
                assertThat(s.server().queueRunner().tlsRpt().orElseThrow().sendDue()).isEqualTo(1);
                s.server().queueRunner().runOnce();
                JsonNode p = gunzipJson(mx.messages.getFirst()).path("policies").get(0);
                assertThat(p.path("summary").path("total-failure-session-count").asLong()).isEqualTo(1);
                assertThat(p.path("failure-details").get(0).path("result-type").asText()).isEqualTo("starttls-not-supported");
            }
        }
        List<Exception> errors = new ArrayList<>();
        java.nio.file.Files.writeString(dir.resolve("bad.json"), "{\"format\":1,\"entries\":[{\"day\":\"x\"}]}");
        assertThat(new TlsRptState(dir.resolve("bad.json"), errors::add).load()).isEmpty();
        assertThat(errors).isEmpty();
        java.nio.file.Files.writeString(dir.resolve("bad.json"), "[1,2");
        assertThat(new TlsRptState(dir.resolve("bad.json"), errors::add).load()).isEmpty();
        assertThat(errors).hasSize(1);
    }

    @Test
    void theReportRecordIsParsedStrictly() {
        assertThat(TlsRpt.parseRecord(List.of("v=TLSRPTv1; rua=mailto:a@b.example, https://x.example/r")))
                .contains(List.of("mailto:a@b.example", "https://x.example/r"));
        assertThat(TlsRpt.parseRecord(List.of("v=TLSRPTv1;rua=mailto:a@b.example", "v=TLSRPTv1;rua=mailto:c@d.example")))
                .as("two records: none").isEmpty();
        assertThat(TlsRpt.parseRecord(List.of("v=TLSRPTv2; rua=mailto:a@b.example"))).isEmpty();
        assertThat(TlsRpt.parseRecord(List.of("v=TLSRPTv1"))).isEmpty();
        assertThat(TlsRpt.ResultType.CERTIFICATE_HOST_MISMATCH.token()).isEqualTo("certificate-host-mismatch");
        assertThat(TlsRpt.ResultType.of(Dane.Failure.NO_MATCH).token()).isEqualTo("tlsa-invalid");
    }

    static String header(String message, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ": (.*)\r?$").matcher(message);
        assertThat(m.find()).as(name).isTrue();
        return m.group(1).trim();
    }

    static JsonNode gunzipJson(String message) throws Exception {
        int part = message.indexOf("Content-Type: application/tlsrpt+gzip");
        int body = message.indexOf("\r\n\r\n", part) + 4;
        List<String> b64 = new ArrayList<>();
        for (String line : message.substring(body).split("\r\n")) {
            if (line.startsWith("--")) break;
            b64.add(line);
        }
        byte[] gz = Base64.getMimeDecoder().decode(String.join("", b64));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return JSON.readTree(in.readAllBytes());
        }
    }
}
