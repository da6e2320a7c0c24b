package moat.server.audit;

import java.time.Duration;
import moat.core.config.Setting;
import moat.server.config.Config;

/** Settings of the audit log's hash chain and signed checkpoints (docs/adr/0027). */
public final class AuditSettings {
    public static final Setting<Integer> CHECKPOINT_LINES = Setting.ofInt("audit.checkpoint_lines", 1000, "lines", 10,
            100_000, "A signed checkpoint line after this many audit lines (moat log verify checks the signatures)");

    public static final Setting<Duration> CHECKPOINT_INTERVAL = Setting.ofDuration("audit.checkpoint_interval", "60s",
            "1s", "1h", "A signed checkpoint at least this often while lines are written; bounds the unsigned tail in time");

    public static final Setting<Long> ROTATE_SIZE = Setting.ofBytes("audit.rotate_size", "100MiB", "64KiB", "10GiB",
            "The audit log file is rotated (renamed with its time and last seq, then gzip-compressed) before it passes this size");

    public static final Setting<Boolean> ROTATE_DAILY = Setting.ofBool("audit.rotate_daily", true,
            "Also rotate the audit log at the first line of each new UTC day");

    public static final Setting<Duration> RETENTION = Setting.ofDuration("audit.retention", "365d", "1d", "3650d",
            "Rotated audit log files older than this are deleted (at the next rotation); the chain check starts at the oldest kept");

    private AuditSettings() {}

    public static ChainedFileSink.Options options(Config config) {
        return new ChainedFileSink.Options(config.get(CHECKPOINT_LINES), config.get(CHECKPOINT_INTERVAL),
                config.get(ROTATE_SIZE), config.get(ROTATE_DAILY), config.get(RETENTION));
    }
}
