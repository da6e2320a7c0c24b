package moat.server.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Zone-file text for the TXT records Moat asks admins to publish, and the comparisons
 * {@code moat dkim check} / {@code moat dns check} make (tag by tag, whitespace-insensitive:
 * RFC 6376 section 3.2 tag-lists allow folding whitespace).
 */
final class DnsRecords {
    private DnsRecords() {}

    /** {@code "..." "..."}: RFC 1035 section 3.3.14 character-strings hold at most 255 octets. */
    static String quoted(String text) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 255) parts.add("\"" + text.substring(i, Math.min(text.length(), i + 255)) + "\"");
        return String.join(" ", parts);
    }

    /** A {@code name TXT "..."} line, the name absolute. */
    static String txtLine(String name, String text) {
        return name + ". IN TXT " + quoted(text);
    }

    /** Tag → value, lower-case tag names, values without whitespace. */
    static Map<String, String> tags(String record) {
        Map<String, String> m = new HashMap<>();
        for (String part : record.split(";")) {
            int eq = part.indexOf('=');
            if (eq <= 0) continue;
            m.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).replaceAll("\\s", ""));
        }
        return m;
    }

    /** True when the published DKIM key record carries the same key (p=) and type (k=, default rsa). */
    static boolean sameDkimKey(String expected, String published) {
        Map<String, String> e = tags(expected);
        Map<String, String> p = tags(published);
        return e.get("p") != null && e.get("p").equals(p.get("p"))
                && e.getOrDefault("k", "rsa").equalsIgnoreCase(p.getOrDefault("k", "rsa"));
    }
}
