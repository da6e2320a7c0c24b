package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import moat.core.EmailAddress;
import moat.core.dns.StaticZone;
import moat.protocol.smtpclient.ClientTransaction;
import moat.core.testing.MutableClock;
import moat.server.testing.TestServer;
import moat.store.MailStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound connection reuse over real loopback sockets: a real Debian Postfix counting the
 * connections of 20 messages to one domain, and the in-JVM {@link FakeMx} for what Postfix will
 * not do on demand (drop an idle connection, answer 421 and stay open). Connections are counted,
 * never timed.
 */
class ConnectionReuseTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final EmailAddress ALICE = EmailAddress.of("alice@example.org");
    static final String POSTFIX_IP = "127.0.0.21";
    static final String FAKE_IP = "127.0.0.22";

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    TestServer start(int port, StaticZone zone, String... extra) throws Exception {
        List<String> toml = new ArrayList<>(List.of("delivery.smtp_port = " + port,
                "delivery.connect_timeout = \"2s\"", "delivery.greeting_timeout = \"2s\"",
                "delivery.command_timeout = \"5s\"", "delivery.data_init_timeout = \"5s\"",
                "delivery.data_end_timeout = \"10s\"", "delivery.data_block_timeout = \"10s\"",
                // Long enough that an idle connection is still cached at the next runOnce on a busy host.
                "delivery.connection_cache_time = \"1m\""));
        toml.addAll(List.of(extra));
        return TestServer.start(dir, zone, clock, toml.toArray(String[]::new));
    }

    void enqueue(TestServer s, String subject, String... rcpts) throws Exception {
        MailStore store = s.store();
        MailStore.Draft d = store.begin();
        d.out().write(("From: alice@example.org\r\nTo: someone@remote.example\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.hashCode() + ".reuse@example.org>\r\n\r\nHello.\r\n")
                .getBytes(StandardCharsets.UTF_8));
        d.out().close();
        store.commit(d, new MailStore.Delivery(Optional.of(ALICE), List.of(),
                java.util.Arrays.stream(rcpts).map(EmailAddress::of).toList(), clock.instant(), Optional.of(ALICE)));
    }

    static List<JsonNode> events(TestServer s, String name) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : s.auditLines()) {
            JsonNode n = JSON.readTree(l);
            if (n.path("event").asText().equals(name)) out.add(n);
        }
        return out;
    }

    static StaticZone zone(String ip) {
        return StaticZone.builder().mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", ip).build();
    }

    @Test
    void twentyMessagesToPostfixGoOverAtMostTwoConnectionsWithStartTls() throws Exception {
        try (PrivatePostfix postfix = PrivatePostfix.startOnFreePort(POSTFIX_IP, "remote.example")) {
            int port = postfix.port;
            OutboundDeliveryTest.awaitPortOf(POSTFIX_IP, port, postfix);
            try (TestServer s = start(port, zone(POSTFIX_IP), "delivery.max_connections_per_domain = 2")) {
                for (int i = 0; i < 20; i++) enqueue(s, "reuse " + i, "r" + i + "@remote.example");
                assertThat(s.server().queueRunner().runOnce()).isEqualTo(20);
                assertThat(postfix.awaitDelivered(20)).hasSize(20);
                assertThat(s.store().outboundQueue().list()).isEmpty();
                List<JsonNode> attempts = events(s, "delivery.attempt");
                assertThat(attempts).hasSize(20).allSatisfy(a -> {
                    assertThat(a.path("result").asText()).isEqualTo("delivered");
                    assertThat(a.path("tls_version").asText()).as("every reused connection is still TLS").startsWith("TLSv1.");
                });
                assertThat(attempts).filteredOn(a -> a.path("connection_use").asInt() == 1).hasSizeBetween(1, 2);
            } // closing the runner QUITs the cached connections
            // Postfix's summary line per connection: "disconnect from ...[127.0.0.1] ehlo=2 starttls=1 mail=10 ...
            // rset=9 quit=1"; the port probe's line has no mail=.
            String log = awaitAllDisconnected(postfix);
            List<String> sessions = log.lines().filter(l -> l.contains("]: disconnect from") && l.contains(" mail=")).toList();
            assertThat(sessions).as("connections that carried mail; log:\n" + log).hasSizeBetween(1, 2);
            assertThat(sessions.stream().mapToInt(l -> field(l, "mail")).sum()).isEqualTo(20);
            assertThat(sessions.stream().mapToInt(l -> field(l, "rset")).sum()).as("RSET before each reused transaction")
                    .isEqualTo(20 - sessions.size());
            assertThat(sessions).allSatisfy(l -> assertThat(l).contains("starttls=1").contains("quit=1"));
        }
    }

    @Test
    void anIdleConnectionThePeerClosedIsReplacedWithoutCountingAsAFailure() throws Exception {
        try (FakeMx mx = new FakeMx(FAKE_IP, 0); TestServer s = start(mx.port(), zone(FAKE_IP))) {
            enqueue(s, "first", "a@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).hasSize(1);
            mx.dropConnections(); // the peer's idle timer: the cached connection is dead now
            enqueue(s, "second", "b@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).hasSize(2);
            assertThat(mx.connections.get()).isEqualTo(2);
            assertThat(events(s, "delivery.reuse_stale")).hasSize(1);
            assertThat(events(s, "delivery.connect_failed")).isEmpty();
            assertThat(events(s, "delivery.attempt")).extracting(a -> a.path("result").asText() + " " + a.path("attempt").asInt()
                    + " " + a.path("connection_use").asInt()).containsExactly("delivered 1 1", "delivered 1 1");
            assertThat(s.store().outboundQueue().list()).isEmpty();
        }
    }

    @Test
    void aConnectionThatAnswered421IsNeverReused() throws Exception {
        try (FakeMx mx = new FakeMx(FAKE_IP, 0); TestServer s = start(mx.port(), zone(FAKE_IP))) {
            mx.rcptReply = "421 4.3.2 shutting down"; // and this peer keeps the socket open anyway
            enqueue(s, "refused", "c@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(s.store().outboundQueue().list()).singleElement()
                    .satisfies(e -> assertThat(e.lastReply()).startsWith("421 4.3.2"));
            mx.rcptReply = "250 2.1.5 ok";
            enqueue(s, "after 421", "d@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).singleElement().satisfies(m -> assertThat(m).contains("Subject: after 421"));
            assertThat(mx.connections.get()).as("a new connection after the 421").isEqualTo(2);
            assertThat(mx.commands).doesNotContain("RSET");
        }
    }

    @Test
    void theReuseCountLimitIsHonoured() throws Exception {
        try (FakeMx mx = new FakeMx(FAKE_IP, 0); TestServer s = start(mx.port(), zone(FAKE_IP),
                "delivery.max_connections_per_domain = 1", "delivery.connection_reuse_count = 3")) {
            for (int i = 0; i < 7; i++) enqueue(s, "limit " + i, "l" + i + "@remote.example");
            assertThat(s.server().queueRunner().runOnce()).isEqualTo(7);
            assertThat(mx.messages).hasSize(7);
            assertThat(mx.mailsPerConnection).extracting(AtomicInteger::get).containsExactly(3, 3, 1);
            assertThat(mx.commands.stream().filter("RSET"::equals).count()).as("one RSET per reused transaction").isEqualTo(4);
        }
    }

    @Test
    void withReuseOffEveryMessageHasItsOwnConnection() throws Exception {
        try (FakeMx mx = new FakeMx(FAKE_IP, 0); TestServer s = start(mx.port(), zone(FAKE_IP),
                "delivery.connection_reuse = false", "delivery.max_connections_per_domain = 1")) {
            for (int i = 0; i < 3; i++) enqueue(s, "single " + i, "s" + i + "@remote.example");
            s.server().queueRunner().runOnce();
            assertThat(mx.messages).hasSize(3);
            assertThat(mx.connections.get()).isEqualTo(3);
            assertThat(mx.commands.stream().filter("QUIT"::equals).count()).isEqualTo(3);
        }
    }

    /**
     * The cache key: a connection is handed out only for the same next hop and the same TLS
     * requirement (an opportunistic connection never serves an MTA-STS enforced delivery, one
     * domain's connection never serves another domain).
     */
    @Test
    void aCachedConnectionServesOnlyTheSameNextHopAndTlsRequirement() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (FakeMx mx = new FakeMx(FAKE_IP, 0)) {
            DeliverySettings.Timeouts t = new DeliverySettings.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
                    Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
            SmtpTransport transport = new SmtpTransport("moat.example.org", t, Duration.ofMinutes(1),
                    PeerTrust.Anchors.jdk(java.time.Clock.systemUTC()), timer);
            SmtpTransport.Target opportunistic = new SmtpTransport.Target("mx.remote.example", InetAddress.getByName(FAKE_IP),
                    mx.port(), SmtpTransport.Tls.OPPORTUNISTIC, Optional.empty(), List.of());
            SmtpTransport.Target verified = new SmtpTransport.Target("mx.remote.example", InetAddress.getByName(FAKE_IP),
                    mx.port(), SmtpTransport.Tls.REQUIRE_VERIFIED, Optional.empty(), List.of());
            ConnectionCache cache = new ConnectionCache(new ConnectionCacheSettings.Values(true, 100, Duration.ofMinutes(5),
                    Duration.ofMinutes(1), 10), timer);
            SmtpTransport.Session session = (SmtpTransport.Session) transport.open(opportunistic);
            SmtpTransport.Result r = session.send(new ClientTransaction.Message(Optional.of(ALICE),
                    List.of(EmailAddress.of("k@remote.example")), 20, false, false), () -> new java.io.ByteArrayInputStream(
                    "Subject: k\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)), c -> { });
            assertThat(r).isInstanceOf(SmtpTransport.Result.Completed.class);
            ConnectionCache.Key key = new ConnectionCache.Key("mx remote.example", opportunistic);
            cache.park(key, session);
            assertThat(cache.take(new ConnectionCache.Key("mx other.example", opportunistic))).isEmpty();
            assertThat(cache.take(new ConnectionCache.Key("mx remote.example", verified))).isEmpty();
            assertThat(cache.take(key)).containsSame(session);
            assertThat(session.reset()).isTrue();
            cache.park(key, session);
            assertThat(cache.idle()).isEqualTo(1);
            cache.close();
            assertThat(cache.idle()).isZero();
            assertThat(mx.commands).endsWith("RSET", "QUIT");
        } finally {
            timer.shutdownNow();
        }
    }

    /** {@code name=N} of a Postfix disconnect line (0 when absent); Postfix may log "N/M" (ok/total). */
    static int field(String line, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" " + name + "=(\\d+)").matcher(line);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    /** Waits (bounded) until Postfix has logged a disconnect for every connect, then returns the log. */
    static String awaitAllDisconnected(PrivatePostfix postfix) throws Exception {
        String log = postfix.log();
        for (int i = 0; i < 150; i++) {
            log = postfix.log();
            if (count(log, "]: connect from") == count(log, "]: disconnect from")) return log;
            Thread.sleep(100);
        }
        return log;
    }
}
