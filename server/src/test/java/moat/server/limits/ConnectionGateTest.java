package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import moat.core.Reason;
import moat.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

class ConnectionGateTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private ConnectionGate gate(int total, int perIp, int rate, int tracked) {
        return new ConnectionGate(new ConnectionGate.Limits(total, perIp, rate, 5, 5, 32, 64, tracked), clock);
    }

    private static InetAddress ip(String s) {
        return InetAddress.ofLiteral(s);
    }

    @Test
    void releasesItsShareOnceEvenWhenClosedTwice() {
        ConnectionGate g = gate(2, 2, 100, 1000);
        Admission a = g.tryAdmit(ip("192.0.2.1"));
        assertThat(a).isInstanceOf(Admission.Admitted.class);
        Permit p = ((Admission.Admitted) a).permit();
        p.close();
        p.close();
        assertThat(g.active()).isZero();
    }

    @Test
    void namesTheLimitThatRefuses() {
        ConnectionGate g = gate(3, 2, 100, 1000);
        g.tryAdmit(ip("192.0.2.1"));
        g.tryAdmit(ip("192.0.2.1"));
        assertThat(g.tryAdmit(ip("192.0.2.1"))).isEqualTo(new Admission.Refused(Reason.CONNECTIONS_PER_IP));
        g.tryAdmit(ip("192.0.2.2"));
        assertThat(g.tryAdmit(ip("192.0.2.3"))).isEqualTo(new Admission.Refused(Reason.CONNECTIONS_TOTAL));
    }

    @Test
    void rateWindowOpensAgainAfterAMinute() {
        ConnectionGate g = gate(100, 100, 2, 1000);
        for (int i = 0; i < 2; i++) ((Admission.Admitted) g.tryAdmit(ip("2001:db8::" + (i + 1)))).permit().close();
        // another address of the same /64 shares the budget
        assertThat(g.tryAdmit(ip("2001:db8::ffff"))).isEqualTo(new Admission.Refused(Reason.CONNECTION_RATE));
        clock.advance(Duration.ofSeconds(61));
        assertThat(g.tryAdmit(ip("2001:db8::1"))).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void aFloodOfDistinctAddressesStaysWithinTheCapAndKeepsLiveCounts() {
        ConnectionGate g = gate(10, 1, 1_000_000, 1000);
        Admission held = g.tryAdmit(ip("198.51.100.1"));
        assertThat(held).isInstanceOf(Admission.Admitted.class);
        for (int i = 0; i < 50_000; i++) {
            InetAddress a = ip("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
            if (g.tryAdmit(a) instanceof Admission.Admitted ad) ad.permit().close();
            assertThat(g.tracked()).isLessThanOrEqualTo(1000);
        }
        // the live connection's entry was never evicted: its per-IP limit still holds
        assertThat(g.tryAdmit(ip("198.51.100.1"))).isEqualTo(new Admission.Refused(Reason.CONNECTIONS_PER_IP));
        assertThat(g.active()).isEqualTo(1);
    }

    @Test
    void idleEntriesAreDroppedAsTrafficPasses() {
        ConnectionGate g = gate(10, 10, 100, 1000);
        for (int i = 1; i <= 100; i++) ((Admission.Admitted) g.tryAdmit(ip("192.0.2." + i))).permit().close();
        assertThat(g.tracked()).isEqualTo(100);
        clock.advance(Duration.ofMinutes(2));
        for (int i = 0; i < 30; i++) ((Admission.Admitted) g.tryAdmit(ip("203.0.113.1"))).permit().close();
        assertThat(g.tracked()).isLessThan(100);
    }

    @Test
    void messageAndRecipientRatesAreHourly() {
        ConnectionGate g = gate(10, 10, 100, 1000);
        InetAddress a = ip("192.0.2.9");
        for (int i = 0; i < 5; i++) assertThat(g.countMessage(a)).isEmpty();
        assertThat(g.countMessage(a)).contains(Reason.MESSAGE_RATE);
        for (int i = 0; i < 5; i++) assertThat(g.countRecipient(a)).isEmpty();
        assertThat(g.countRecipient(a)).contains(Reason.RECIPIENT_RATE);
        clock.advance(Duration.ofMinutes(61));
        assertThat(g.countMessage(a)).isEmpty();
        assertThat(g.countRecipient(a)).isEmpty();
    }
}
