package moat.delivery;

import java.time.Duration;
import moat.core.config.Setting;
import moat.core.config.SettingValues;

/**
 * Outbound connection reuse ({@link ConnectionCache}): after a transaction the SMTP connection is
 * kept, briefly, for the next message to the same destination, as Postfix's connection cache does
 * (its {@code smtp_connection_cache_time_limit} 2 s, {@code smtp_connection_reuse_count_limit},
 * {@code smtp_connection_reuse_time_limit} 300 s). Every limit is a bound: no value means
 * "unlimited"; {@code delivery.connection_reuse = false} turns reuse off.
 */
public final class ConnectionCacheSettings {
    public static final Setting<Boolean> REUSE = Setting.ofBool("delivery.connection_reuse", true,
            "Keep an outbound SMTP connection after a transaction for the next message to the same destination"
                    + " (same next hop, MX host, address and TLS requirements); false = one message per connection");

    public static final Setting<Integer> REUSE_COUNT = Setting.ofInt("delivery.connection_reuse_count", 100, "messages",
            1, 10_000, "Transactions on one outbound connection at most; then QUIT and a fresh connection");

    public static final Setting<Duration> REUSE_TIME = Setting.ofDuration("delivery.connection_reuse_time", "5m", "1s",
            "1h", "Age after which an outbound connection is not reused any more (closed after its current transaction)");

    public static final Setting<Duration> IDLE_TIME = Setting.ofDuration("delivery.connection_cache_time", "2s", "100ms",
            "1m", "How long an idle outbound connection waits in the cache for the next message before QUIT");

    public static final Setting<Integer> MAX_IDLE = Setting.ofInt("delivery.connection_cache_size", 20, "connections",
            1, 1000, "Idle outbound connections kept at once, all destinations together; the oldest is closed when full");

    private ConnectionCacheSettings() {}

    /** The values of one configuration. */
    public record Values(boolean reuse, int reuseCount, Duration reuseTime, Duration idleTime, int maxIdle) {}

    public static Values of(SettingValues c) {
        return new Values(c.get(REUSE), c.get(REUSE_COUNT), c.get(REUSE_TIME), c.get(IDLE_TIME), c.get(MAX_IDLE));
    }
}
