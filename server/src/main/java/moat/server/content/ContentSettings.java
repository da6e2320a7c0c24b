package moat.server.content;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import moat.core.config.Constraint;
import moat.core.config.Setting;
import moat.policy.content.AttachmentCheck;

/**
 * The content checks at end of DATA (docs/adr/0019-content-checks-at-end-of-data.md): which run,
 * what each does on a finding, and the bounds of the stage (how much it reads, how long it may
 * take, what a failing check means).
 */
public final class ContentSettings {
    static final List<String> ACTIONS = List.of("reject", "defer", "score", "quarantine", "off");

    public static final Setting<String> ATTACHMENT_ACTION = action("content.attachment_action", "reject",
            "An attachment named with a blocked extension (content.attachment)");
    public static final Setting<Integer> ATTACHMENT_POINTS = points("content.attachment_points");
    public static final Setting<List<String>> BLOCKED_EXTENSIONS = Setting.ofStringList("content.blocked_extensions",
            AttachmentCheck.DEFAULT_EXTENSIONS, "Attachment file name extensions refused (without the dot, any case); "
                    + "empty = none").withConstraint(Constraint.of("extensions", v -> v.stream()
                    .allMatch(e -> e.matches("\\.?[A-Za-z0-9_-]{1,16}")), "every element must be an extension such as exe"));
    public static final Setting<Integer> MAX_PARTS = Setting.ofInt("content.max_parts", 500, "parts", 1, 100_000,
            "MIME parts walked per message; a message with more is a content.attachment finding");
    public static final Setting<List<String>> PATTERNS = Setting.ofStringList("content.patterns", List.of(),
            "Java regular expressions matched against the raw message (header and body as transmitted); empty = none")
            .withConstraint(Constraint.of("regular expressions", v -> v.stream().allMatch(ContentSettings::compiles),
                    "every element must be a valid Java regular expression"));
    public static final Setting<String> PATTERN_ACTION = action("content.pattern_action", "reject",
            "The message matches one of content.patterns (content.pattern)");
    public static final Setting<Integer> PATTERN_POINTS = points("content.pattern_points");
    public static final Setting<String> CLAMD_ADDRESS = Setting.ofString("content.clamd_address", "",
            "clamd's socket for the antivirus check: \"unix:/run/clamav/clamd.ctl\" or \"tcp:127.0.0.1:3310\"; "
                    + "empty = antivirus off").withConstraint(Constraint.of("unix:/path or tcp:host:port",
                    v -> v.isEmpty() || moat.server.content.clamd.ClamdAddress.valid(v),
                    "must be empty, unix:/absolute/path or tcp:host:port"));
    public static final Setting<String> VIRUS_ACTION = action("content.virus_action", "reject",
            "clamd found a virus (content.virus, 554 5.7.1)");
    public static final Setting<Integer> VIRUS_POINTS = points("content.virus_points");
    public static final Setting<Long> CLAMD_MAX_SIZE = Setting.ofBytes("content.clamd_max_size", "25MiB", "64KiB", "4000MiB",
            "Octets of each message streamed to clamd (from the top; the rest is not scanned); keep it at or below "
                    + "clamd's StreamMaxLength (default 25M), above it clamd answers an error (content.on_error)");
    public static final Setting<java.time.Duration> CLAMD_TIMEOUT = Setting.ofDuration("content.clamd_timeout", "20s",
            "1s", "10m", "Time for one clamd scan (connect, upload, verdict); longer counts as a failure "
                    + "(content.on_error); content.timeout still bounds the whole stage");
    public static final Setting<Long> MAX_SCAN_SIZE = Setting.ofBytes("content.max_scan_size", "10MiB", "64KiB", "1GiB",
            "Octets of each message the content checks read (from the top); the rest is not looked at");
    public static final Setting<java.time.Duration> TIMEOUT = Setting.ofDuration("content.timeout", "30s", "1s", "10m",
            "Time the content checks may take per message; longer counts as a failure (content.on_error)");
    public static final Setting<String> ON_ERROR = Setting.ofString("content.on_error", "defer",
            "A content check that throws or times out: defer (451 4.3.0, the sender retries) or accept (deliver unchecked)")
            .withConstraint(Constraint.of("defer or accept", v -> v.equals("defer") || v.equals("accept"),
                    "must be defer or accept"));
    public static final Setting<Boolean> CHECK_SUBMISSION = Setting.ofBool("content.check_submission", true,
            "Run the content checks on authenticated submission (587/465) too, not only on port 25");

    private ContentSettings() {}

    private static Setting<String> action(String key, String def, String doc) {
        return Setting.ofString(key, def, doc + ": reject, defer, score, quarantine or off")
                .withConstraint(Constraint.of("reject, defer, score, quarantine or off", ACTIONS::contains,
                        "must be one of reject, defer, score, quarantine, off"));
    }

    private static Setting<Integer> points(String key) {
        return Setting.ofInt(key, 5, "points", 0, 1000, "Points added when the matching *_action is \"score\"");
    }

    static boolean compiles(String regex) {
        try {
            Pattern.compile(regex);
            return true;
        } catch (PatternSyntaxException e) {
            return false;
        }
    }
}
