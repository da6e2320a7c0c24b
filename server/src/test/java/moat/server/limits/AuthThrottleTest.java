package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import moat.server.limits.AuthThrottle.Decision;
import moat.server.limits.AuthThrottle.Scope;
import moat.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<AuthThrottle.Lockout> lockouts = new ArrayList<>();
    private final AuthThrottle throttle = new AuthThrottle(new AuthThrottle.Limits(10, Duration.ofMinutes(15),
            Duration.ofMinutes(15), Duration.ofMillis(500), Duration.ofSeconds(15), Duration.ofDays(30), 32, 64, 24, 48,
            1000), clock, lockouts::add);

    private static InetAddress ip(String s) {
        return InetAddress.ofLiteral(s);
    }

    @Test
    void backsOffExponentiallyUpToTheCap() {
        assertThat(throttle.check(ip("192.0.2.1"), "alice")).isEqualTo(new Decision.Allow());
        throttle.recordFailure(ip("192.0.2.1"), "alice");
        assertThat(throttle.check(ip("192.0.2.1"), "alice")).isEqualTo(new Decision.Delay(Duration.ofMillis(500)));
        throttle.recordFailure(ip("192.0.2.1"), "alice");
        assertThat(throttle.check(ip("192.0.2.1"), "alice")).isEqualTo(new Decision.Delay(Duration.ofSeconds(1)));
        for (int i = 0; i < 6; i++) throttle.recordFailure(ip("192.0.2.1"), "alice");
        assertThat(throttle.check(ip("192.0.2.1"), "alice")).isEqualTo(new Decision.Delay(Duration.ofSeconds(15)));
    }

    @Test
    void locksAClientOutOfEveryAccountAfterTenFailuresThenExpires() {
        for (int i = 0; i < 10; i++) throttle.recordFailure(ip("192.0.2.1"), "user" + i + "@example.org");
        assertThat(lockouts).extracting(AuthThrottle.Lockout::scope).containsExactly(Scope.CLIENT);
        assertThat(throttle.check(ip("192.0.2.1"), "bob")).isInstanceOf(Decision.Locked.class);
        assertThat(throttle.check(ip("192.0.2.2"), "bob")).isEqualTo(new Decision.Allow());
        clock.advance(Duration.ofMinutes(16));
        assertThat(throttle.check(ip("192.0.2.1"), "bob")).isEqualTo(new Decision.Allow());
    }

    @Test
    void locksAnAccountOnlyFromTheAttackingNetwork() {
        for (int i = 1; i <= 10; i++) throttle.recordFailure(ip("192.0.2." + i), "Alice@Example.org");
        assertThat(lockouts).singleElement().satisfies(l -> {
            assertThat(l.scope()).isEqualTo(Scope.ACCOUNT_NETWORK);
            assertThat(l.network()).hasToString("192.0.2.0/24");
            assertThat(l.account()).contains("alice@example.org");
        });
        assertThat(throttle.check(ip("192.0.2.99"), "alice@example.org")).isInstanceOf(Decision.Locked.class);
        // another network is only slowed down, never locked: a botnet cannot shut the user out
        assertThat(throttle.check(ip("198.51.100.7"), "alice@example.org")).isInstanceOf(Decision.Delay.class);
        // other accounts from the attacking network are not affected
        assertThat(throttle.check(ip("192.0.2.99"), "bob@example.org")).isEqualTo(new Decision.Allow());
    }

    @Test
    void aKnownGoodClientIsExemptFromTheAccountLockout() {
        throttle.recordSuccess(ip("192.0.2.200"), "alice");
        for (int i = 1; i <= 12; i++) throttle.recordFailure(ip("192.0.2." + i), "alice");
        assertThat(throttle.check(ip("192.0.2.200"), "alice")).isEqualTo(new Decision.Allow());
        assertThat(throttle.check(ip("192.0.2.201"), "alice")).isInstanceOf(Decision.Locked.class);
    }

    @Test
    void unknownAndKnownUserNamesAreCountedAlike() {
        for (int i = 0; i < 9; i++) throttle.recordFailure(ip("192.0.2.1"), "nobody-" + i);
        assertThat(throttle.check(ip("192.0.2.1"), "alice")).isEqualTo(throttle.check(ip("192.0.2.1"), "nosuchuser"));
    }

    @Test
    void staysWithinItsCap() {
        for (int i = 0; i < 20_000; i++) throttle.recordFailure(ip("10.0." + (i >> 8 & 255) + "." + (i & 255)), "u" + i);
        assertThat(throttle.tracked()).isLessThanOrEqualTo(1000);
    }

    @Test
    void attemptRunsTheWholeFlowAndNeverVerifiesWhileLocked() {
        java.util.concurrent.atomic.AtomicInteger verified = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Supplier<java.util.Optional<String>> wrong = () -> {
            verified.incrementAndGet();
            return java.util.Optional.empty();
        };
        AuthThrottle fast = new AuthThrottle(new AuthThrottle.Limits(3, Duration.ofMinutes(15), Duration.ofMinutes(15),
                Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofDays(30), 32, 64, 24, 48, 1000), clock, l -> { });
        for (int i = 0; i < 3; i++)
            assertThat(fast.attempt(ip("192.0.2.1"), "alice", wrong)).isInstanceOf(AuthThrottle.Login.Failure.class);
        assertThat(fast.attempt(ip("192.0.2.1"), "alice", () -> java.util.Optional.of("alice")))
                .isInstanceOf(AuthThrottle.Login.Locked.class);
        assertThat(verified.get()).isEqualTo(3);
        assertThat(fast.attempt(ip("198.51.100.1"), "alice", () -> java.util.Optional.of("alice")))
                .isEqualTo(new AuthThrottle.Login.Success<>("alice"));
    }
}
