package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import moat.core.EmailAddress;
import moat.core.dns.StaticZone;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.core.testing.MutableClock;
import moat.server.testing.TestServer;
import moat.store.MailStore;
import moat.store.OutboundQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound delivery end to end: a real Moat, a real Debian Postfix as the remote MX on
 * 127.0.0.4 (STARTTLS with a self-signed certificate, Maildir delivery), in-JVM peers on other
 * loopback addresses for the failure modes, DNS from a {@link StaticZone}, a clock the test moves
 * and {@code runOnce} instead of the scan loop (delivery.enabled stays false).
 */
class OutboundDeliveryTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final EmailAddress ALICE = EmailAddress.of("alice@example.org");
    static PrivatePostfix postfix;
    static int port;

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    @BeforeAll
    static void startPostfix() throws Exception {
        postfix = PrivatePostfix.startOnFreePort("127.0.0.4", "remote.example, implicit.example");
        port = postfix.port;
        awaitPort("127.0.0.4", port);
    }

    @AfterAll
    static void stopPostfix() throws Exception {
        if (postfix != null) postfix.close();
    }

    static void awaitPort(String ip, int p) throws Exception {
        awaitPortOf(ip, p, postfix);
    }

    static void awaitPortOf(String ip, int p, PrivatePostfix which) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (java.net.Socket s = new java.net.Socket(ip, p)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("Postfix did not listen on " + ip + ":" + p + "; log:\n" + which.log());
    }

    TestServer start(StaticZone zone, String... extra) throws Exception {
        List<String> toml = new ArrayList<>(List.of("delivery.smtp_port = " + port,
                "delivery.connect_timeout = \"2s\"", "delivery.greeting_timeout = \"1s\"",
                "delivery.command_timeout = \"2s\"", "delivery.data_init_timeout = \"2s\"",
                "delivery.data_end_timeout = \"5s\"", "delivery.data_block_timeout = \"5s\""));
        toml.addAll(List.of(extra));
        return TestServer.start(dir, zone, clock, toml.toArray(String[]::new));
    }

    /** Queues a message as if submitted: {@code auth} = the authenticated submitter, if any. */
    String enqueue(TestServer s, Optional<EmailAddress> auth, String body, String... rcpts) throws Exception {
        MailStore store = s.store();
        MailStore.Draft d = store.begin();
        d.out().write(body.getBytes(StandardCharsets.UTF_8));
        d.out().close();
        return store.commit(d, new MailStore.Delivery(Optional.of(ALICE), List.of(),
                java.util.Arrays.stream(rcpts).map(EmailAddress::of).toList(), clock.instant(), auth));
    }

    static String message(String subject) {
        return "From: alice@example.org\r\nTo: someone@remote.example\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.hashCode() + "@example.org>\r\n\r\nHello.\r\n.leading dot\r\n";
    }

    List<JsonNode> events(TestServer s, String name) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : s.auditLines()) {
            JsonNode n = JSON.readTree(l);
            if (n.path("event").asText().equals(name)) out.add(n);
        }
        return out;
    }

    static StaticZone.Builder zone() {
        return StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.4");
    }

    @Test
    void submittedMailReachesPostfixOverStartTlsAndTheAttemptIsAudited() throws Exception {
        String swaks = moat.server.interop.PeersAccess.requireSwaksWithTls();
        try (TestServer s = start(zone().build())) {
            Process p = new ProcessBuilder(swaks, "--server", "127.0.0.1:" + s.port(Listener.SUBMISSION), "--tls",
                    "--auth", "PLAIN", "--auth-user", "alice@example.org", "--auth-password", TestServer.ALICE_PASSWORD,
                    "--from", "alice@example.org", "--to", "carol@remote.example", "--header", "Subject: outbound one",
                    "--body", "Hello Carol.\n.dot line\n").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            OutboundQueue q = s.store().outboundQueue();
            assertThat(q.list()).singleElement().satisfies(e -> assertThat(e.authUser()).contains(ALICE));
            int before = postfix.delivered().size();
            assertThat(s.server().queueRunner().runOnce()).isEqualTo(1);
            List<String> got = postfix.awaitDelivered(before + 1);
            assertThat(got.stream().filter(m -> m.contains("Subject: outbound one"))).singleElement()
                    .satisfies(m -> assertThat(m).contains("\n.dot line").contains("Received: from"));
            assertThat(q.list()).isEmpty();
            JsonNode attempt = events(s, "delivery.attempt").getFirst();
            assertThat(attempt.path("result").asText()).isEqualTo("delivered");
            assertThat(attempt.path("mx").asText()).isEqualTo("mx.remote.example");
            assertThat(attempt.path("ip").asText()).isEqualTo("127.0.0.4");
            assertThat(attempt.path("tls_version").asText()).isIn("TLSv1.3", "TLSv1.2");
            assertThat(attempt.path("tls_cipher").asText()).isNotEmpty();
            assertThat(attempt.path("tls_verified").asBoolean()).as("self-signed: not verified, still used").isFalse();
            assertThat(attempt.path("code").asInt()).isEqualTo(250);
        }
    }

    @Test
    void failsOverPastARefusingAndASilentMxToPostfix() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx1.remote.example")
                .mx("remote.example", 20, "mx2.remote.example").mx("remote.example", 30, "mx3.remote.example")
                .aaaa("mx1.remote.example", "::1").a("mx1.remote.example", "127.0.0.2").a("mx2.remote.example", "127.0.0.3")
                .a("mx3.remote.example", "127.0.0.4").build();
        try (FakeMx silent = new FakeMx("127.0.0.3", port); TestServer s = start(z)) {
            silent.mode = FakeMx.Mode.SILENT;
            enqueue(s, Optional.of(ALICE), message("failover"), "dave@remote.example");
            int before = postfix.delivered().size();
            s.server().queueRunner().runOnce();
            assertThat(postfix.awaitDelivered(before + 1).stream().filter(m -> m.contains("Subject: failover"))).hasSize(1);
            List<JsonNode> failed = events(s, "delivery.connect_failed");
            // IPv6 first, then IPv4, of each host in preference order (RFC 5321 section 5.1).
            assertThat(failed).extracting(n -> n.path("ip").asText()).containsExactly("0:0:0:0:0:0:0:1", "127.0.0.2",
                    "127.0.0.3");
            assertThat(failed.get(1).path("error").asText()).contains("connect");
            assertThat(failed.get(2).path("error").asText()).contains("timeout");
            assertThat(silent.connections.get()).isEqualTo(1);
            assertThat(events(s, "delivery.attempt").getFirst().path("mx").asText()).isEqualTo("mx3.remote.example");
        }
    }

    @Test
    void noMxMeansTheDomainItselfAndIdnDomainsAreQueriedAsALabels() throws Exception {
        StaticZone z = StaticZone.builder().a("implicit.example", "127.0.0.4")
                .mx("xn--bcher-kva.example", 10, "mx.xn--bcher-kva.example").a("mx.xn--bcher-kva.example", "127.0.0.5")
                .build();
        try (FakeMx idn = new FakeMx("127.0.0.5", port); TestServer s = start(z)) {
            enqueue(s, Optional.of(ALICE), message("implicit"), "erin@implicit.example", "frank@bücher.example");
            int before = postfix.delivered().size();
            s.server().queueRunner().runOnce();
            assertThat(postfix.awaitDelivered(before + 1).stream().filter(m -> m.contains("Subject: implicit"))).hasSize(1);
            assertThat(idn.commands).contains("RCPT TO:<frank@xn--bcher-kva.example>");
            assertThat(idn.messages).hasSize(1);
            assertThat(s.store().outboundQueue().list()).isEmpty();
        }
    }

    @Test
    void retriesAfterA4xxWhenTheClockHasMovedOn() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.5").build();
        try (FakeMx mx = new FakeMx("127.0.0.5", port); TestServer s = start(z)) {
            mx.rcptReply = "451 4.7.1 greylisted, try later";
            String id = enqueue(s, Optional.of(ALICE), message("retry"), "gina@remote.example");
            QueueRunner runner = s.server().queueRunner();
            runner.runOnce();
            OutboundQueue.Entry e = s.store().outboundQueue().list().getFirst();
            assertThat(e.attempts()).isEqualTo(1);
            assertThat(e.lastReply()).contains("451 4.7.1");
            // First retry after delivery.retry_initial (5 min) +-20%: not before 4 minutes, by 6.
            assertThat(e.nextAttempt()).isBetween(clock.instant().plusSeconds(240), clock.instant().plusSeconds(360));
            assertThat(runner.runOnce()).as("not due yet").isZero();
            mx.rcptReply = "250 2.1.5 ok";
            clock.advance(Duration.ofMinutes(6));
            assertThat(runner.runOnce()).isEqualTo(1);
            assertThat(mx.messages).hasSize(1);
            assertThat(s.store().outboundQueue().list()).isEmpty();
            assertThat(s.inbox("alice@example.org")).as("no DSN for a delivered message").isEmpty();
            assertThat(events(s, "delivery.attempt")).extracting(n -> n.path("result").asText())
                    .containsExactly("deferred", "delivered");
            assertThat(id).isNotEmpty();
        }
    }

    @Test
    void aPermanentFailureGoesBackToTheAuthenticatedSubmitterOnly() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.5").build();
        try (FakeMx mx = new FakeMx("127.0.0.5", port); TestServer s = start(z)) {
            mx.rcptReply = "550 5.1.1 no such user here";
            String id = enqueue(s, Optional.of(ALICE), message("bounce"), "nobody@remote.example");
            enqueue(s, Optional.empty(), message("port 25 relay"), "nobody2@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(s.store().outboundQueue().list()).isEmpty();
            List<String> inbox = s.inbox("alice@example.org");
            assertThat(inbox).as("one DSN: the port-25 message is never bounced").hasSize(1);
            String dsn = inbox.getFirst();
            assertThat(dsn).contains("Content-Type: multipart/report; report-type=delivery-status")
                    .contains("Content-Type: message/delivery-status").contains("Final-Recipient: rfc822; nobody@remote.example")
                    .contains("Action: failed").contains("Status: 5.1.1").contains("Remote-MTA: dns; mx.remote.example")
                    .contains("Diagnostic-Code: smtp; 550 5.1.1 no such user here")
                    .contains("Content-Type: text/rfc822-headers").contains("Subject: bounce")
                    .contains("X-Moat-Queue-ID: " + id).doesNotContain("Hello.");
            assertThat(events(s, "delivery.dsn")).extracting(n -> n.path("result").asText())
                    .containsExactlyInAnyOrder("stored", "suppressed");
        }
    }

    @Test
    void nullMxFailsAtOnceWithoutAConnection() throws Exception {
        StaticZone z = StaticZone.builder().mx("nomail.example", 0, ".").build();
        try (TestServer s = start(z)) {
            enqueue(s, Optional.of(ALICE), message("null mx"), "x@nomail.example");
            s.server().queueRunner().runOnce();
            assertThat(s.store().outboundQueue().list()).isEmpty();
            assertThat(s.inbox("alice@example.org")).singleElement().satisfies(d -> assertThat(d)
                    .contains("Status: 5.1.10").contains("Diagnostic-Code: x-moat;"));
            assertThat(events(s, "delivery.connect_failed")).isEmpty();
            assertThat(events(s, "delivery.attempt").getFirst().path("reason").asText()).isEqualTo("delivery.null_mx");
        }
    }

    @Test
    void aPeerWithout8bitmimeGetsA7bitBodyAndNothingItCannotCarry() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.5").build();
        try (FakeMx mx = new FakeMx("127.0.0.5", port); TestServer s = start(z)) {
            mx.extensions = List.of("SIZE 1000000"); // no PIPELINING, 8BITMIME or SMTPUTF8
            enqueue(s, Optional.of(ALICE), "Subject: caf\u00e9\r\n\r\nx\r\n", "utf8@remote.example");
            enqueue(s, Optional.of(ALICE), "Subject: eight\r\n\r\ncaf\u00e9\r\n", "eight@remote.example");
            enqueue(s, Optional.of(ALICE), message("seven bit"), "seven@remote.example");
            // base64 that holds an 8-bit octet cannot be made 7-bit: refused, never sent as it is
            enqueue(s, Optional.of(ALICE), "Subject: broken\r\nMIME-Version: 1.0\r\nContent-Type: application/pdf\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\nAAEC\u00ff\r\n", "broken@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).hasSize(2);
            assertThat(mx.messages).anySatisfy(m -> assertThat(m).contains("Subject: seven bit")
                    .contains("\r\n.leading dot\r\n"));
            // RFC 6152 section 3: the 8-bit body went out converted to quoted-printable, every octet 7-bit
            assertThat(mx.messages).anySatisfy(m -> assertThat(m).contains("Subject: eight\r\n")
                    .contains("MIME-Version: 1.0\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9\r\n")
                    .matches("\\p{ASCII}*"));
            assertThat(mx.commands).noneMatch(c -> c.contains("BODY=8BITMIME") || c.contains("SMTPUTF8"));
            List<String> dsns = s.inbox("alice@example.org");
            assertThat(dsns).hasSize(2);
            assertThat(String.join("\n", dsns)).contains("Status: 5.6.7").contains("Status: 5.6.3")
                    .contains("utf8@remote.example").contains("broken@remote.example")
                    .doesNotContain("Final-Recipient: rfc822; eight@remote.example");
            assertThat(s.store().outboundQueue().list()).isEmpty();
        }
    }

    @Test
    void aConnectionDroppedInDataIsRetriedAndNothingIsLost() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.5").build();
        try (FakeMx mx = new FakeMx("127.0.0.5", port); TestServer s = start(z)) {
            mx.mode = FakeMx.Mode.DROP_IN_DATA;
            enqueue(s, Optional.of(ALICE), message("dropped"), "hank@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).isEmpty();
            assertThat(s.store().outboundQueue().list()).singleElement()
                    .satisfies(e -> assertThat(e.lastReply()).startsWith("451 4.4.1"));
            mx.mode = FakeMx.Mode.ANSWER;
            clock.advance(Duration.ofMinutes(10));
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).singleElement().satisfies(m -> assertThat(m).contains("Subject: dropped"));
            assertThat(s.store().outboundQueue().list()).isEmpty();
        }
    }

    @Test
    void aWarningAfterFourHoursThenAFailureAfterFiveDays() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.5").build();
        try (FakeMx mx = new FakeMx("127.0.0.5", port); TestServer s = start(z)) {
            mx.rcptReply = "452 4.2.2 mailbox full";
            enqueue(s, Optional.of(ALICE), message("slow"), "ivan@remote.example");
            QueueRunner runner = s.server().queueRunner();
            runner.runOnce();
            clock.advance(Duration.ofHours(4).plusMinutes(1));
            runner.runOnce();
            assertThat(s.inbox("alice@example.org")).singleElement().satisfies(d -> assertThat(d)
                    .contains("Action: delayed").contains("Status: 4.2.2").contains("Will-Retry-Until:"));
            clock.advance(Duration.ofHours(2));
            runner.runOnce();
            assertThat(s.inbox("alice@example.org")).as("one warning only").hasSize(1);
            clock.advance(Duration.ofDays(5));
            runner.runOnce();
            assertThat(s.inbox("alice@example.org")).hasSize(2);
            assertThat(s.inbox("alice@example.org").get(1)).contains("Action: failed").contains("Status: 5.4.7")
                    .contains("452 4.2.2 mailbox full");
            assertThat(s.store().outboundQueue().list()).isEmpty();
        }
    }

    @Test
    void aFailedTlsHandshakeIsRetriedInPlaintextWhenAllowed() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.5").build();
        try (FakeMx mx = new FakeMx("127.0.0.5", port); TestServer s = start(z)) {
            mx.extensions = List.of("PIPELINING", "8BITMIME", "STARTTLS");
            enqueue(s, Optional.of(ALICE), message("tls fallback"), "jane@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(mx.connections.get()).isEqualTo(2);
            assertThat(mx.messages).singleElement().satisfies(m -> assertThat(m).contains("Subject: tls fallback"));
            assertThat(events(s, "delivery.connect_failed").getFirst().path("error").asText())
                    .contains("TLS handshake").contains("retrying without TLS");
            assertThat(events(s, "delivery.attempt").getFirst().path("tls").asBoolean()).isFalse();
        }
    }

    @Test
    void withoutPlaintextFallbackAFailedHandshakeDefers() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.5").build();
        try (FakeMx mx = new FakeMx("127.0.0.5", port); TestServer s = start(z, "delivery.plaintext_fallback = false")) {
            mx.extensions = List.of("PIPELINING", "STARTTLS");
            enqueue(s, Optional.of(ALICE), message("tls strict"), "kim@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).isEmpty();
            assertThat(s.store().outboundQueue().list()).singleElement()
                    .satisfies(e -> assertThat(e.lastReply()).startsWith("451 4.4.1").contains("TLS handshake"));
        }
    }

    @Test
    void connectionsPerDomainAreBounded() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.5").build();
        try (FakeMx mx = new FakeMx("127.0.0.5", port); TestServer s = start(z, "delivery.max_connections_per_domain = 2")) {
            mx.greetingDelayMs = 200;
            for (int i = 0; i < 6; i++) enqueue(s, Optional.of(ALICE), message("parallel " + i), "p" + i + "@remote.example");
            assertThat(s.server().queueRunner().runOnce()).isEqualTo(6);
            assertThat(mx.messages).hasSize(6);
            assertThat(mx.peak.get()).as("never more than the per-domain limit at once").isBetween(1, 2);
        }
    }

    @Test
    void aSubmitterOverTheSendingRateIsHeldNotRefused() throws Exception {
        StaticZone z = StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.5").build();
        try (FakeMx mx = new FakeMx("127.0.0.5", port); TestServer s = start(z, "delivery.user_rate = 2")) {
            for (int i = 0; i < 3; i++) enqueue(s, Optional.of(ALICE), message("rate " + i), "r" + i + "@remote.example");
            enqueue(s, Optional.empty(), message("port 25"), "other@remote.example"); // no submitter: not counted
            QueueRunner runner = s.server().queueRunner();
            runner.runOnce();
            assertThat(mx.messages).hasSize(3);
            assertThat(s.store().outboundQueue().list()).singleElement().satisfies(e -> {
                assertThat(e.attempts()).isZero();
                assertThat(e.lastReply()).startsWith("held: sending rate limit");
                assertThat(e.nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
            });
            assertThat(events(s, "delivery.rate_held")).hasSize(1);
            clock.advance(Duration.ofMinutes(30));
            assertThat(runner.runOnce()).isZero();
            clock.advance(Duration.ofMinutes(30));
            assertThat(runner.runOnce()).isEqualTo(1);
            assertThat(mx.messages).hasSize(4);
            assertThat(s.store().outboundQueue().list()).isEmpty();
        }
    }
}
