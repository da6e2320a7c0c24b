package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendRateTest {
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    static final SendRate.Limit USER = new SendRate.Limit("user", 3, Duration.ofHours(1));
    static final SendRate.Limit DOMAIN = new SendRate.Limit("domain", 5, Duration.ofHours(1));

    @Test
    void slidingWindowHoldsUntilTheOldestSendLeaves() {
        SendRate r = new SendRate();
        List<SendRate.Key> alice = List.of(new SendRate.Key(USER, "alice"));
        assertThat(r.tryAcquire(alice, 2, T0)).isEmpty();
        assertThat(r.tryAcquire(alice, 1, T0.plusSeconds(600))).isEmpty();
        assertThat(r.tryAcquire(alice, 1, T0.plusSeconds(700))).contains(T0.plusSeconds(3600));
        assertThat(r.tryAcquire(alice, 2, T0.plusSeconds(700))).contains(T0.plusSeconds(3600));
        assertThat(r.tryAcquire(alice, 3, T0.plusSeconds(700))).contains(T0.plusSeconds(4200));
        assertThat(r.tryAcquire(alice, 2, T0.plusSeconds(3600))).isEmpty();
        assertThat(r.tryAcquire(List.of(new SendRate.Key(USER, "bob")), 3, T0)).as("per key").isEmpty();
    }

    @Test
    void everyKeyMustFitAndNothingIsRecordedWhenOneDoesNot() {
        SendRate r = new SendRate();
        SendRate.Key dom = new SendRate.Key(DOMAIN, "remote.example");
        assertThat(r.tryAcquire(List.of(dom), 4, T0)).isEmpty();
        assertThat(r.tryAcquire(List.of(dom, new SendRate.Key(USER, "alice")), 2, T0)).contains(T0.plusSeconds(3600));
        assertThat(r.tryAcquire(List.of(new SendRate.Key(USER, "alice")), 3, T0)).as("alice used nothing").isEmpty();
    }

    @Test
    void aGroupLargerThanTheLimitGoesAloneWhenTheWindowIsEmpty() {
        SendRate r = new SendRate();
        List<SendRate.Key> k = List.of(new SendRate.Key(USER, "alice"));
        assertThat(r.tryAcquire(k, 10, T0)).isEmpty();
        assertThat(r.tryAcquire(k, 10, T0.plusSeconds(60))).contains(T0.plusSeconds(3600));
        assertThat(r.tryAcquire(k, 10, T0.plusSeconds(3600))).isEmpty();
    }
}
