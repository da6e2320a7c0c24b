package moat.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An MTA-STS policy (RFC 8461 section 3.2): {@code version: STSv1}, {@code mode}, {@code mx}
 * patterns and {@code max_age}. Parsing is strict where the RFC is (a missing or unknown version,
 * mode or max_age makes no policy) and lenient where it asks to be (unknown keys are ignored).
 */
record MtaStsPolicy(Mode mode, List<String> mx, long maxAgeSeconds) {
    /** RFC 8461 section 3.2: max_age is at most 31557600 seconds (about a year). */
    static final long MAX_AGE_LIMIT = 31_557_600L;
    /** Section 3.3: a policy body larger than 64 KiB is refused. */
    static final int MAX_SIZE = 64 * 1024;

    enum Mode { ENFORCE, TESTING, NONE }

    MtaStsPolicy {
        mx = List.copyOf(mx);
    }

    static Optional<MtaStsPolicy> parse(String text) {
        if (text.length() > MAX_SIZE) return Optional.empty();
        String version = null;
        Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String raw : text.split("\r?\n")) {
            int colon = raw.indexOf(':');
            if (colon <= 0) continue;
            String key = raw.substring(0, colon).trim();
            String value = raw.substring(colon + 1).trim();
            switch (key) {
                case "version" -> version = value;
                case "mode" -> mode = switch (value) {
                    case "enforce" -> Mode.ENFORCE;
                    case "testing" -> Mode.TESTING;
                    case "none" -> Mode.NONE;
                    default -> null;
                };
                case "max_age" -> {
                    if (value.matches("\\d{1,10}")) maxAge = Math.min(Long.parseLong(value), MAX_AGE_LIMIT);
                }
                case "mx" -> {
                    if (!value.isEmpty()) mx.add(value.toLowerCase(Locale.ROOT));
                }
                default -> { } // section 3.2: unknown fields are ignored
            }
        }
        if (!"STSv1".equals(version) || mode == null || maxAge == null) return Optional.empty();
        if (mode != Mode.NONE && mx.isEmpty()) return Optional.empty();
        return Optional.of(new MtaStsPolicy(mode, mx, maxAge));
    }

    /**
     * Section 4.1: an MX host matches a pattern exactly, or a {@code *.} pattern matches exactly
     * one more leftmost label ({@code *.example.com} matches {@code mx.example.com}, not
     * {@code a.mx.example.com} nor {@code example.com}).
     */
    boolean matches(String mxHost) {
        String h = mxHost.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        for (String p : mx) {
            if (p.startsWith("*.")) {
                int dot = h.indexOf('.');
                if (dot > 0 && h.substring(dot + 1).equals(p.substring(2))) return true;
            } else if (p.equals(h)) {
                return true;
            }
        }
        return false;
    }
}
