package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DataRateTest {
    private final DataRate.Limits limits = new DataRate.Limits(500, Duration.ofSeconds(30));

    @Test
    void waitsTheGracePeriodBeforeTheFirstBytes() {
        DataRate r = DataRate.start(limits);
        assertThat(r.readTimeout(Duration.ofMinutes(3))).isBetween(29_000, 30_000);
        assertThat(r.rateBound()).isTrue();
    }

    @Test
    void extendsTheWaitWithTheBytesReceived() {
        DataRate r = DataRate.startedAgo(limits, Duration.ofSeconds(40));
        r.received(50_000); // 100 s worth at 500 B/s
        assertThat(r.readTimeout(Duration.ofMinutes(3))).isBetween(59_000, 60_000);
    }

    @Test
    void theIdleTimeoutWinsWhenShorter() {
        DataRate r = DataRate.start(limits);
        assertThat(r.readTimeout(Duration.ofSeconds(10))).isEqualTo(10_000);
        assertThat(r.rateBound()).isFalse();
    }

    @Test
    void aTrickleFallsBelowTheRate() {
        DataRate r = DataRate.startedAgo(limits, Duration.ofSeconds(60));
        r.received(100); // far below 500 B/s over a minute
        assertThat(r.readTimeout(Duration.ofMinutes(3))).isEqualTo(1);
        assertThat(r.rateBound()).isTrue();
        assertThat(r.belowMinimum()).isTrue();
        assertThat(DataRate.start(limits).belowMinimum()).isFalse();
    }
}
