package moat.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The text forms of sizes and durations, in both directions. Only unambiguous units: sizes are
 * binary (KiB = 1024 B); "MB" is refused because half of all admins read it as 10^6 and half as
 * 2^20. Durations use lower-case units ("m" and "min" both mean minutes; "M" is refused).
 */
public final class Units {
    private static final Pattern BYTES = Pattern.compile("\\s*(\\d{1,19})\\s*(B|KiB|MiB|GiB|TiB)?\\s*");
    private static final Pattern DURATION = Pattern.compile("\\s*(\\d{1,19})\\s*(ms|s|m|min|h|d)\\s*");
    private static final String[] BYTE_UNITS = {"TiB", "GiB", "MiB", "KiB"};
    private static final long[] BYTE_FACTORS = {1L << 40, 1L << 30, 1L << 20, 1L << 10};

    private Units() {}

    /** {@code "25MiB"}, {@code "64KiB"}, {@code "512"} (bytes). */
    public static long parseBytes(String text) {
        Matcher m = BYTES.matcher(text);
        if (!m.matches())
            throw new IllegalArgumentException("not a size: \"" + text + "\" (write e.g. 25MiB, 64KiB or a number of bytes)");
        try {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2);
            return switch (unit) {
                case "B" -> n;
                case "KiB" -> Math.multiplyExact(n, 1L << 10);
                case "MiB" -> Math.multiplyExact(n, 1L << 20);
                case "GiB" -> Math.multiplyExact(n, 1L << 30);
                default -> Math.multiplyExact(n, 1L << 40);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size too large: \"" + text + "\"");
        }
    }

    /** {@code "500ms"}, {@code "30s"}, {@code "5m"} or {@code "5min"}, {@code "1h"}, {@code "1d"}. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches())
            throw new IllegalArgumentException(
                    "not a duration: \"" + text + "\" (write e.g. 500ms, 30s, 5m, 1h or 1d)");
        try {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration too large: \"" + text + "\"");
        }
    }

    /** The largest unit that represents the size exactly: 26214400 becomes "25MiB". */
    public static String formatBytes(long bytes) {
        for (int i = 0; i < BYTE_UNITS.length; i++)
            if (bytes != 0 && bytes % BYTE_FACTORS[i] == 0) return bytes / BYTE_FACTORS[i] + BYTE_UNITS[i];
        return Long.toString(bytes);
    }

    /** The largest unit that represents the duration exactly: 300 s becomes "5m". */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
        if (ms != 0 && ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms != 0 && ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }

    /** A value in its human form (as an admin would write it, without TOML quoting). */
    public static String format(Setting.Kind kind, Object value) {
        return switch (kind) {
            case BYTES -> formatBytes((Long) value);
            case DURATION -> formatDuration((Duration) value);
            case STRING_LIST -> ((List<?>) value).stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
            case PORT -> ((ListenerPort) value).text();
            case INT, LONG, BOOL, STRING, PATH -> String.valueOf(value);
        };
    }

    /** A value as TOML source text. */
    public static String toml(Setting.Kind kind, Object value) {
        return switch (kind) {
            case INT, LONG, BOOL -> String.valueOf(value);
            case BYTES -> tomlString(formatBytes((Long) value));
            case DURATION -> tomlString(formatDuration((Duration) value));
            case STRING -> tomlString((String) value);
            case PORT -> value instanceof ListenerPort.Fixed f ? Integer.toString(f.number())
                    : tomlString(((ListenerPort) value).text());
            case PATH -> tomlString(((Path) value).toString());
            case STRING_LIST -> ((List<?>) value).stream().map(v -> tomlString(String.valueOf(v)))
                    .collect(Collectors.joining(", ", "[", "]"));
        };
    }

    /** A TOML basic string (TOML 1.0 section "String"): escapes quote, backslash and controls. */
    public static String tomlString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04X", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
