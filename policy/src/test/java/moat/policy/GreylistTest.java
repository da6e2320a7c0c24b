package moat.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.testing.MutableClock;
import moat.policy.greylist.Greylist;
import moat.policy.greylist.GreylistStore;
import moat.policy.greylist.InMemoryGreylistStore;
import org.junit.jupiter.api.Test;

class GreylistTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final GreylistStore store = new InMemoryGreylistStore(1000);
    final Greylist greylist = new Greylist(new Greylist.Settings(Duration.ofMinutes(5), Duration.ofDays(2),
            Duration.ofDays(35), 3), store, clock);

    String attempt(String ip, String sender, String rcpt) throws Exception {
        CheckState s = new CheckState(InetAddress.getByName(ip));
        s.newTransaction(Optional.of(EmailAddress.of(sender)));
        return ChecksTest.finding(greylist.rcptTo(s, EmailAddress.of(rcpt)));
    }

    @Test
    void defersTheFirstAttemptAndAcceptsARetryAfterTheDelay() throws Exception {
        assertThat(attempt("192.0.2.1", "a@x.example", "alice@example.org")).isEqualTo("defer greylist.deferred");
        clock.advance(Duration.ofMinutes(4));
        assertThat(attempt("192.0.2.1", "a@x.example", "alice@example.org")).isEqualTo("defer greylist.deferred");
        clock.advance(Duration.ofMinutes(1));
        assertThat(attempt("192.0.2.1", "a@x.example", "alice@example.org")).isEqualTo("-");
        clock.advance(Duration.ofDays(30)); // a passed triplet stays passed while used
        assertThat(attempt("192.0.2.1", "a@x.example", "alice@example.org")).isEqualTo("-");
    }

    @Test
    void keysOnTheClientSlash24AndSlash64() throws Exception {
        assertThat(attempt("192.0.2.1", "a@x.example", "alice@example.org")).startsWith("defer");
        clock.advance(Duration.ofMinutes(6));
        assertThat(attempt("192.0.2.200", "a@x.example", "alice@example.org")).isEqualTo("-");
        assertThat(attempt("192.0.3.1", "a@x.example", "alice@example.org")).startsWith("defer");
        assertThat(attempt("2001:db8::1", "a@x.example", "alice@example.org")).startsWith("defer");
        clock.advance(Duration.ofMinutes(6));
        assertThat(attempt("2001:db8::ffff:1", "a@x.example", "alice@example.org")).isEqualTo("-");
    }

    @Test
    void aRetryAfterTheWindowStartsOver() throws Exception {
        assertThat(attempt("192.0.2.1", "a@x.example", "alice@example.org")).startsWith("defer");
        clock.advance(Duration.ofDays(3));
        assertThat(attempt("192.0.2.1", "a@x.example", "alice@example.org")).startsWith("defer");
        clock.advance(Duration.ofMinutes(5));
        assertThat(attempt("192.0.2.1", "a@x.example", "alice@example.org")).isEqualTo("-");
    }

    @Test
    void aClientThatPassedOftenEnoughIsNoLongerGreylisted() throws Exception {
        for (String rcpt : List.of("a@example.org", "b@example.org", "c@example.org")) attempt("192.0.2.1", "s@x.example", rcpt);
        clock.advance(Duration.ofMinutes(5));
        for (String rcpt : List.of("a@example.org", "b@example.org", "c@example.org"))
            assertThat(attempt("192.0.2.1", "s@x.example", rcpt)).isEqualTo("-");
        assertThat(attempt("192.0.2.1", "new@y.example", "d@example.org")).isEqualTo("-");
        assertThat(attempt("192.0.9.1", "new@y.example", "d@example.org")).startsWith("defer");
    }

    @Test
    void aBrokenStoreLetsMailThrough() throws Exception {
        GreylistStore broken = new GreylistStore() {
            public Optional<Entry> find(Triplet t) { throw new IllegalStateException("disk"); }
            public void save(Triplet t, Entry e) { throw new IllegalStateException("disk"); }
            public int passes(String n, Instant since) { throw new IllegalStateException("disk"); }
            public void recordPass(String n, Instant at) { throw new IllegalStateException("disk"); }
            public void purge(Instant before) { }
        };
        Greylist g = new Greylist(new Greylist.Settings(Duration.ofMinutes(5), Duration.ofDays(2), Duration.ofDays(35), 3), broken, clock);
        CheckState s = new CheckState(InetAddress.getByName("192.0.2.1"));
        assertThat(g.rcptTo(s, EmailAddress.of("a@example.org"))).isInstanceOf(Verdict.NoOpinion.class);
    }
}
