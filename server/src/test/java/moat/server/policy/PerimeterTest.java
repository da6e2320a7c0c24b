package moat.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import moat.core.dns.Resolver;
import moat.dns.DnsjavaResolver;
import moat.dns.testserver.TestDnsServer;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The perimeter checks over real sockets: a Moat on loopback whose DNS is an in-JVM DNS server
 * loaded from zone text. The client is always 127.0.0.1; each test starts its own server with
 * the TOML lines it needs.
 */
class PerimeterTest {
    @TempDir
    Path tmp;

    static TestDnsServer dns;

    @BeforeAll
    static void startDns() throws Exception {
        dns = TestDnsServer.builder().records(
                        "1.0.0.127.in-addr.arpa. PTR client.good.example.",    // forward-confirmed below
                        "client.good.example. A 127.0.0.1",
                        "1.0.0.127.bl.test. A 127.0.0.2",                      // 127.0.0.1 listed in bl.test
                        "spammer.example.dbl.test. A 127.0.1.2",               // sender domain listed
                        "helo.good.example. A 192.0.2.1",
                        "remote.example. MX 10 mx.remote.example.")
                .timeout("slow.test.")
                .start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    static Resolver resolver(TestDnsServer server) {
        return new DnsjavaResolver(new DnsjavaResolver.Config(List.of(server.address()), Duration.ofMillis(300), 100,
                Duration.ofHours(1)), Clock.systemUTC());
    }

    TestServer server(String... toml) throws Exception {
        return server(resolver(dns), Clock.systemUTC(), toml);
    }

    TestServer server(Resolver r, Clock clock, String... toml) throws Exception {
        return TestServer.start(Files.createTempDirectory(tmp, "moat"), r, clock, toml);
    }

    static SmtpClient mx(TestServer s) throws Exception {
        return new SmtpClient("127.0.0.1", s.port(Listener.MX));
    }

    /** Greeting, EHLO, MAIL, RCPT: the reply to the first command that is not positive, else RCPT's. */
    static String transaction(TestServer s, String helo, String from, String to) throws Exception {
        try (SmtpClient c = mx(s)) {
            String greeting = c.reply().getLast();
            if (!greeting.startsWith("220")) return greeting;
            for (String cmd : List.of("EHLO " + helo, "MAIL FROM:<" + from + ">", "RCPT TO:<" + to + ">")) {
                String r = c.cmd(cmd);
                if (!r.startsWith("250") || cmd.startsWith("RCPT")) {
                    c.cmd("QUIT");
                    return r;
                }
            }
            throw new AssertionError("unreachable");
        }
    }

    // ---- lists

    @Test
    void denyListedNetworkIsRefusedInsteadOfTheGreeting() throws Exception {
        try (TestServer s = server("policy.deny_networks = [\"127.0.0.0/8\"]"); SmtpClient c = mx(s)) {
            assertThat(c.readLine()).startsWith("554 5.7.1 Client host [127.0.0.1] rejected");
            assertThat(c.closedByServer()).isTrue();
            assertThat(s.auditLines()).anyMatch(l -> l.contains("list.denied"));
        }
    }

    @Test
    void denyListedHeloSenderAndSenderDomainAreRefused() throws Exception {
        try (TestServer s = server("policy.deny_helo = [\"bad.helo.example\"]", "policy.deny_senders = [\"spam@x.example\"]",
                "policy.deny_sender_domains = [\"spam.example\"]")) {
            assertThat(transaction(s, "bad.helo.example", "a@b.example", "alice@example.org")).startsWith("554 5.7.1 HELO name rejected");
            assertThat(transaction(s, "helo.good.example", "SPAM@x.example", "alice@example.org")).startsWith("554 5.7.1 Sender address rejected");
            assertThat(transaction(s, "helo.good.example", "a@sub.spam.example", "alice@example.org")).startsWith("554 5.7.1 Sender address rejected");
            assertThat(transaction(s, "helo.good.example", "a@ok.example", "alice@example.org")).startsWith("250");
        }
    }

    @Test
    void allowListedNetworkHeloAndSenderSkipReputationChecks() throws Exception {
        String[] strict = {"rdns.not_confirmed_action = \"reject\"", "helo.unresolvable_action = \"reject\"",
                "greylist.action = \"defer\""};
        TestDnsServer empty = TestDnsServer.builder().records("x.example. A 192.0.2.1").start(); // no PTR for 127.0.0.1
        try (empty; TestServer s = server(resolver(empty), Clock.systemUTC(), concat(strict, "rdns.no_ptr_action = \"defer\"",
                "policy.allow_networks = [\"127.0.0.0/8\"]"))) {
            assertThat(transaction(s, "nowhere.example", "a@b.example", "alice@example.org")).startsWith("250");
        }
        try (TestServer s = server(concat(strict, "policy.allow_helo = [\"partner.example\"]"))) {
            assertThat(transaction(s, "partner.example", "a@b.example", "alice@example.org")).startsWith("250");
            assertThat(transaction(s, "nowhere.example", "a@b.example", "alice@example.org")).startsWith("550 5.7.1 HELO/EHLO name nowhere.example does not resolve");
        }
        try (TestServer s = server(concat(strict, "policy.allow_sender_domains = [\"partner.example\"]"))) {
            assertThat(transaction(s, "helo.good.example", "a@mail.partner.example", "alice@example.org")).startsWith("250");
            assertThat(transaction(s, "helo.good.example", "a@other.example", "alice@example.org")).startsWith("451 4.7.1");
        }
    }

    // ---- reverse DNS

    @Test
    void reverseDnsRulesFollowTheirActions() throws Exception {
        TestDnsServer noPtr = TestDnsServer.builder().records("x.example. A 192.0.2.1").start();
        TestDnsServer unconfirmed = TestDnsServer.builder().records("1.0.0.127.in-addr.arpa. PTR liar.example.",
                "liar.example. A 192.0.2.9").start();
        TestDnsServer generic = TestDnsServer.builder().records("1.0.0.127.in-addr.arpa. PTR 127-0-0-1.dynamic.isp.example.",
                "127-0-0-1.dynamic.isp.example. A 127.0.0.1").start();
        try (noPtr; unconfirmed; generic) {
            try (TestServer s = server(resolver(noPtr), Clock.systemUTC())) { // default: score only, and logged
                assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250");
                assertThat(s.auditLines()).anyMatch(l -> l.contains("\"event\":\"policy.score\"") && l.contains("\"reason\":\"iprev.none\"")
                        && l.contains("\"points\":3"));
            }
            try (TestServer s = server(resolver(noPtr), Clock.systemUTC(), "rdns.no_ptr_action = \"reject\"")) {
                assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org"))
                        .startsWith("550 5.7.25 Client host [127.0.0.1] has no reverse DNS");
            }
            try (TestServer s = server(resolver(unconfirmed), Clock.systemUTC(), "rdns.not_confirmed_action = \"defer\"")) {
                assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org"))
                        .startsWith("451 4.7.25 Client host [127.0.0.1] reverse DNS liar.example does not resolve back"); // held to RCPT
            }
            try (TestServer s = server(resolver(generic), Clock.systemUTC(), "rdns.generic_action = \"reject\"")) {
                assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("550 5.7.1 Client host name");
            }
            try (TestServer s = server(resolver(generic), Clock.systemUTC(), "rdns.generic_points = 10")) { // score reaches 10
                assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("554 5.7.1");
            }
        }
        try (TestServer s = server("rdns.no_ptr_action = \"reject\"", "rdns.not_confirmed_action = \"reject\"")) {
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250"); // confirmed
        }
    }

    // ---- HELO

    @Test
    void heloRules() throws Exception {
        try (TestServer s = server("helo.literal_mismatch_action = \"reject\"", "helo.non_fqdn_action = \"reject\"")) {
            assertThat(transaction(s, "mx.test.example", "a@b.example", "alice@example.org")).startsWith("550 5.7.1 HELO/EHLO mx.test.example claims to be this server");
            assertThat(transaction(s, "example.org", "a@b.example", "alice@example.org")).startsWith("550 5.7.1"); // a local domain
            assertThat(transaction(s, "bad_name!", "a@b.example", "alice@example.org")).startsWith("501 5.5.2 Invalid HELO/EHLO name");
            assertThat(transaction(s, "[10.1.2.3]", "a@b.example", "alice@example.org")).startsWith("550 5.7.1 HELO/EHLO [10.1.2.3] is not your address");
            assertThat(transaction(s, "localhost", "a@b.example", "alice@example.org")).startsWith("504 5.5.2");
            assertThat(transaction(s, "[127.0.0.1]", "a@b.example", "alice@example.org")).startsWith("250");
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250");
        }
        try (TestServer s = server("helo.unresolvable_action = \"reject\"")) {
            assertThat(transaction(s, "nowhere.example", "a@b.example", "alice@example.org")).startsWith("550 5.7.1");
            assertThat(transaction(s, "host.slow.test", "a@b.example", "alice@example.org")).startsWith("250"); // timeout: no opinion
            assertThat(transaction(s, "remote.example", "a@b.example", "alice@example.org")).startsWith("250"); // MX only
        }
    }

    // ---- DNSBL / RHSBL

    @Test
    void dnsblHitMissAndTimeout() throws Exception {
        try (TestServer s = server("dnsbl.zones = [\"bl.test\"]", "dnsbl.action = \"reject\"")) {
            // policy.delay_reject (default true): the listing is given at RCPT, see ADR 0010
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org"))
                    .startsWith("554 5.7.1 Client host [127.0.0.1] listed in bl.test");
        }
        try (TestServer s = server("dnsbl.zones = [\"bl.test\"]", "dnsbl.action = \"reject\"", "policy.delay_reject = false");
             SmtpClient c = mx(s)) {
            assertThat(c.readLine()).startsWith("554 5.7.1 Client host [127.0.0.1] listed in bl.test");
            assertThat(c.closedByServer()).isTrue();
        }
        try (TestServer s = server("dnsbl.zones = [\"other.test\"]", "dnsbl.action = \"reject\"")) {
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250");
        }
        try (TestServer s = server("dnsbl.zones = [\"slow.test\"]", "dnsbl.action = \"reject\"")) {
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250");
        }
        try (TestServer s = server("dnsbl.zones = [\"bl.test weight=4\"]")) { // score below the threshold
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250");
        }
        try (TestServer s = server("dnsbl.zones = [\"bl.test weight=10\"]")) {
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("554 5.7.1 Message refused");
        }
        try (TestServer s = server("dnsbl.zones = [\"bl.test codes=127.0.0.3\"]", "dnsbl.action = \"reject\"")) {
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250"); // other code
        }
    }

    @Test
    void rhsblOnSenderDomain() throws Exception {
        try (TestServer s = server("rhsbl.zones = [\"dbl.test\", \"slow.test\"]", "rhsbl.action = \"reject\"")) {
            assertThat(transaction(s, "helo.good.example", "a@spammer.example", "alice@example.org"))
                    .startsWith("554 5.7.1 Sender domain spammer.example listed in dbl.test");
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250");
        }
    }

    // ---- greylisting

    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-06-01T12:00:00Z");

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId z) { return this; }
        @Override public Instant instant() { return now; }
    }

    @Test
    void greylistingDefersFirstTryAndAcceptsTheRetryAfterTheDelay() throws Exception {
        MovableClock clock = new MovableClock();
        try (TestServer s = server(resolver(dns), clock, "greylist.action = \"defer\"", "greylist.auto_allow_after = 2")) {
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("451 4.7.1 Greylisted");
            clock.now = clock.now.plus(Duration.ofMinutes(4));
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("451 4.7.1");
            clock.now = clock.now.plus(Duration.ofMinutes(1));
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250");
            assertThat(transaction(s, "helo.good.example", "a@b.example", "bob@example.org")).startsWith("451 4.7.1");
            clock.now = clock.now.plus(Duration.ofMinutes(5));
            assertThat(transaction(s, "helo.good.example", "a@b.example", "bob@example.org")).startsWith("250");
            // two passes: the client network is now trusted by greylisting (auto-allow)
            assertThat(transaction(s, "helo.good.example", "new@c.example", "alice@example.org")).startsWith("250");
            assertThat(s.auditLines()).anyMatch(l -> l.contains("greylist.deferred"));
        }
    }

    @Test
    void greylistingIsBypassedByAllowListsAndAuthenticatedSubmission() throws Exception {
        MovableClock clock = new MovableClock();
        try (TestServer s = server(resolver(dns), clock, "greylist.action = \"defer\"",
                "policy.allow_senders = [\"friend@partner.example\"]")) {
            assertThat(transaction(s, "helo.good.example", "friend@partner.example", "alice@example.org")).startsWith("250");
            try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.SUBMISSION))) {
                c.reply();
                c.cmd("EHLO client.example");
                assertThat(c.cmd("STARTTLS")).startsWith("220");
                c.startTls();
                c.cmd("EHLO client.example");
                String plain = Base64.getEncoder().encodeToString("\0alice@example.org\0alice-password-1".getBytes());
                assertThat(c.cmd("AUTH PLAIN " + plain)).startsWith("235");
                assertThat(c.cmd("MAIL FROM:<alice@example.org>")).startsWith("250");
                assertThat(c.cmd("RCPT TO:<bob@example.org>")).startsWith("250");
            }
        }
    }

    @Test
    void greylistStateSurvivesARestart() throws Exception {
        MovableClock clock = new MovableClock();
        Path dir = Files.createTempDirectory(tmp, "restart");
        try (TestServer s = TestServer.start(dir, resolver(dns), clock, "greylist.action = \"defer\"")) {
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("451");
        }
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        try (TestServer s = TestServer.start(dir, resolver(dns), clock, "greylist.action = \"defer\"")) {
            assertThat(transaction(s, "helo.good.example", "a@b.example", "alice@example.org")).startsWith("250");
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
