package moat.server.policy;

import java.time.Duration;
import moat.core.config.Constraint;
import moat.core.config.Setting;

/** Greylisting on port 25 (off by default, see ADR 0006). */
public final class GreylistSettings {
    public static final Setting<String> ACTION = Setting.ofString("greylist.action", "off",
            "\"defer\" = greylist first attempts (451 4.7.1 greylist.deferred); \"off\" = never")
            .withConstraint(Constraint.of("defer or off", v -> v.equals("defer") || v.equals("off"),
                    "must be \"defer\" or \"off\""));
    public static final Setting<Duration> DELAY = Setting.ofDuration("greylist.delay", "5m", "1s", "1h",
            "A retry is accepted this long after the first attempt");
    public static final Setting<Duration> RETRY_WINDOW = Setting.ofDuration("greylist.retry_window", "2d", "10m", "7d",
            "A retry later than this after the first attempt is greylisted again");
    public static final Setting<Duration> EXPIRY = Setting.ofDuration("greylist.expiry", "35d", "1d", "365d",
            "A passed triplet (and a client's pass count) is forgotten after this long unused");
    public static final Setting<Integer> AUTO_ALLOW_AFTER = Setting.ofInt("greylist.auto_allow_after", 5, "passes", 0,
            1000, "A client network (/24, /64) with this many passed triplets is no longer greylisted; 0 = never");
    public static final Setting<String> STORE = Setting.ofString("greylist.store", "sqlite",
            "\"sqlite\" = in the index database (survives restarts); \"memory\" = bounded, lost on restart")
            .withConstraint(Constraint.of("sqlite or memory", v -> v.equals("sqlite") || v.equals("memory"),
                    "must be \"sqlite\" or \"memory\""));
    public static final Setting<Integer> MAX_ENTRIES = Setting.ofInt("greylist.max_entries", 100_000, "triplets", 100,
            10_000_000, "Bound of the in-memory store (least recently used forgotten first)");

    private GreylistSettings() {}
}
