package moat.server.audit;

import java.time.Duration;
import moat.server.config.Config;
import moat.server.config.Setting;

/** Settings of the audit log's hash chain and signed checkpoints (docs/adr/0027). */
public final class AuditSettings {
    public static final Setting<Integer> CHECKPOINT_LINES = Setting.ofInt("audit.checkpoint_lines", 1000, "lines", 10,
            100_000, "A signed checkpoint line after this many audit lines (moat log verify checks the signatures)");

    public static final Setting<Duration> CHECKPOINT_INTERVAL = Setting.ofDuration("audit.checkpoint_interval", "60s",
            "1s", "1h", "A signed checkpoint at least this often while lines are written; bounds the unsigned tail in time");

    private AuditSettings() {}

    public static ChainedFileSink.Options options(Config config) {
        return new ChainedFileSink.Options(config.get(CHECKPOINT_LINES), config.get(CHECKPOINT_INTERVAL));
    }
}
