package moat.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One header field as it arrived: its name and its raw text (folded lines included, final CRLF
 * excluded). Text holds octets as ISO-8859-1 characters so that 8-bit header octets hash exactly
 * as received.
 */
public record HeaderField(String name, String raw) {

    /** The name in lower case, for the case-insensitive matching of RFC 6376 section 5.4. */
    public String key() {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The value: everything after the first colon, unchanged. */
    public String value() {
        return raw.substring(raw.indexOf(':') + 1);
    }

    /**
     * Splits a header section (CRLF line ends; the terminating empty line optional) into fields.
     * A line starting with WSP continues the previous field (RFC 5322 section 2.2.3). A line
     * without a colon cannot be signed and is skipped.
     *
     * @throws DkimSyntaxException when the section exceeds {@code maxBytes} or {@code maxFields}
     */
    public static List<HeaderField> parse(byte[] block, int maxBytes, int maxFields) throws DkimSyntaxException {
        if (block.length > maxBytes) throw new DkimSyntaxException("header section over " + maxBytes + " octets");
        String s = new String(block, StandardCharsets.ISO_8859_1);
        List<HeaderField> fields = new ArrayList<>();
        int start = -1; // start of the field being collected
        int i = 0;
        while (i < s.length()) {
            int eol = s.indexOf("\r\n", i);
            int end = eol < 0 ? s.length() : eol;
            if (end == i) break; // the empty line ends the header section
            char first = s.charAt(i);
            if (first != ' ' && first != '\t') {
                if (start >= 0) add(fields, s.substring(start, i - 2), maxFields);
                start = i;
            } else if (start < 0) {
                start = i; // a leading continuation line: kept, later skipped as nameless
            }
            if (eol < 0) {
                i = s.length();
                add(fields, s.substring(start), maxFields);
                start = -1;
            } else {
                i = eol + 2;
            }
        }
        if (start >= 0) add(fields, s.substring(start, i - 2), maxFields);
        return fields;
    }

    private static void add(List<HeaderField> fields, String raw, int maxFields) throws DkimSyntaxException {
        int colon = raw.indexOf(':');
        if (colon <= 0 || raw.charAt(0) == ' ' || raw.charAt(0) == '\t') return;
        String name = raw.substring(0, colon);
        // RFC 5322 allows WSP between the name and the colon only in obsolete syntax; relaxed
        // canonicalisation (section 3.4.2) deletes it, so accept it for matching.
        String trimmed = TagList.trimFws(name);
        if (trimmed.isEmpty() || trimmed.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) return;
        if (fields.size() == maxFields) throw new DkimSyntaxException("more than " + maxFields + " header fields");
        fields.add(new HeaderField(trimmed, raw));
    }
}
