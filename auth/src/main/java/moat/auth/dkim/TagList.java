package moat.auth.dkim;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An RFC 6376 section 3.2 tag=value list, the syntax shared by the DKIM-Signature header field
 * and the key record. Parsing is strict: a tag name is ALPHA *(ALPHA / DIGIT / "_"), a value is
 * VALCHARs (%x21-3A / %x3C-7E) with interior FWS, a duplicated tag is an error ("Tags with
 * duplicate names MUST NOT occur within a single tag-list"), and FWS is WSP or CRLF followed by
 * WSP. Each tag remembers where its value sits, so the verifier can blank {@code b=} in the
 * original text (section 3.7) without re-serialising it.
 *
 * @param tags in the order they appeared; names are case-sensitive (section 3.2)
 */
public record TagList(Map<String, Tag> tags) {
    /** A list longer than this many tags is refused: DKIM defines fewer than 20. */
    static final int MAX_TAGS = 64;

    /**
     * @param value      the value without surrounding FWS, interior FWS kept as written
     * @param valueStart offset just after the "=" in the parsed text
     * @param valueEnd   offset of the terminating ";" or the end of the text
     */
    public record Tag(String name, String value, int valueStart, int valueEnd) {}

    public TagList {
        tags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    public Optional<String> get(String name) {
        Tag t = tags.get(name);
        return t == null ? Optional.empty() : Optional.of(t.value());
    }

    public String require(String name) throws DkimSyntaxException {
        return get(name).orElseThrow(() -> new DkimSyntaxException("missing required tag " + name + "="));
    }

    /** Parses {@code text}, which holds octets as ISO-8859-1 characters. */
    public static TagList parse(String text) throws DkimSyntaxException {
        Map<String, Tag> tags = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (true) {
            i = skipFws(text, i);
            if (i >= n) {
                // Section 3.2 allows one trailing ";"; an empty list, or ";;" is not a tag-spec.
                if (tags.isEmpty()) throw new DkimSyntaxException("empty tag list");
                break;
            }
            int nameStart = i;
            if (!isAlpha(text.charAt(i))) throw new DkimSyntaxException("bad tag name at offset " + i);
            while (i < n && (isAlpha(text.charAt(i)) || isDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
            String name = text.substring(nameStart, i);
            i = skipFws(text, i);
            if (i >= n || text.charAt(i) != '=') throw new DkimSyntaxException("expected '=' after tag " + name);
            i++;
            int valueStart = i;
            i = skipFws(text, i);
            int firstVal = i;
            int lastVal = i; // end of the last VALCHAR run
            while (i < n && text.charAt(i) != ';') {
                char c = text.charAt(i);
                if (c == ' ' || c == '\t' || c == '\r') {
                    int j = skipFws(text, i);
                    if (j == i) throw new DkimSyntaxException("CR without LF and WSP in tag " + name);
                    i = j;
                } else if (c >= 0x21 && c <= 0x7e) {
                    i++;
                    lastVal = i;
                } else {
                    throw new DkimSyntaxException("invalid character 0x" + Integer.toHexString(c) + " in tag " + name);
                }
            }
            String value = text.substring(firstVal, Math.max(firstVal, lastVal));
            if (tags.containsKey(name)) throw new DkimSyntaxException("duplicate tag " + name + "=");
            if (tags.size() == MAX_TAGS) throw new DkimSyntaxException("more than " + MAX_TAGS + " tags");
            tags.put(name, new Tag(name, value, valueStart, i));
            if (i >= n) break;
            i++; // the ';'
        }
        return new TagList(tags);
    }

    /** Skips FWS (RFC 5322 section 3.2.2 as used by RFC 6376): WSP, and CRLF only when WSP follows. */
    static int skipFws(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
            } else if (c == '\r' && i + 2 < s.length() && s.charAt(i + 1) == '\n'
                    && (s.charAt(i + 2) == ' ' || s.charAt(i + 2) == '\t')) {
                i += 3;
            } else {
                break;
            }
        }
        return i;
    }

    /** Decodes base64 that may contain FWS (section 3.5, "b=" and "bh="); anything else is an error. */
    public static byte[] base64(String name, String value) throws DkimSyntaxException {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
            if (!(isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=')) {
                throw new DkimSyntaxException("invalid base64 in " + name + "=");
            }
            sb.append(c);
        }
        try {
            return Base64.getDecoder().decode(sb.toString());
        } catch (IllegalArgumentException e) {
            throw new DkimSyntaxException("invalid base64 in " + name + "=");
        }
    }

    /** Splits a colon-separated list (h=, q=, t=, s=, key h=), trimming FWS around each element. */
    public static List<String> colonList(String value) {
        return java.util.Arrays.stream(value.split(":", -1)).map(TagList::trimFws).toList();
    }

    public static String trimFws(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isFwsChar(s.charAt(a))) a++;
        while (b > a && isFwsChar(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    private static boolean isFwsChar(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
