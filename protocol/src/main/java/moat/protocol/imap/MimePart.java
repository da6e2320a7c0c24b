package moat.protocol.imap;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.field.DefaultFieldParser;

/**
 * A MIME entity located inside the raw message octets (RFC 2045/2046): where its header and
 * body are, its Content-Type, and its children (multipart parts or the message inside a
 * message/rfc822 part). FETCH sections are slices of the original octets, never re-encodings,
 * so sizes and offsets agree with RFC822.SIZE.
 *
 * <p>Nesting is bounded ({@link #MAX_DEPTH}); deeper structure is treated as an opaque leaf.
 */
record MimePart(byte[] src, int start, int bodyStart, int end, List<Header> headers, String type, String subtype,
                Map<String, String> params, List<MimePart> children, Optional<MimePart> message) {
    static final int MAX_DEPTH = 20;
    static final int MAX_PARTS = 1000;

    record Header(String name, String value, int start, int end) {}

    static MimePart parse(byte[] src) {
        return parse(src, 0, src.length, 0, "text/plain", new int[] {0});
    }

    private static MimePart parse(byte[] b, int start, int end, int depth, String defaultType, int[] count) {
        int bodyStart = headerEnd(b, start, end);
        List<Header> headers = headers(b, start, bodyStart);
        String type = defaultType.substring(0, defaultType.indexOf('/'));
        String subtype = defaultType.substring(defaultType.indexOf('/') + 1);
        Map<String, String> params = Map.of();
        for (Header h : headers) {
            if (!h.name().equalsIgnoreCase("Content-Type")) continue;
            try {
                ContentTypeField f = (ContentTypeField) DefaultFieldParser.parse("Content-Type: " + h.value());
                if (f.getMediaType() != null && !f.getMediaType().isEmpty() && f.getSubType() != null
                        && !f.getSubType().isEmpty()) {
                    type = f.getMediaType().toLowerCase(Locale.ROOT);
                    subtype = f.getSubType().toLowerCase(Locale.ROOT);
                    params = f.getParameters();
                }
            } catch (RuntimeException | org.apache.james.mime4j.MimeException e) {
                // a broken Content-Type means the RFC 2045 default
            }
            break;
        }
        List<MimePart> children = new ArrayList<>();
        Optional<MimePart> message = Optional.empty();
        if (depth < MAX_DEPTH && ++count[0] < MAX_PARTS) {
            if (type.equals("multipart") && params.get("boundary") != null && !params.get("boundary").isEmpty()) {
                String child = subtype.equals("digest") ? "message/rfc822" : "text/plain";
                for (int[] r : split(b, bodyStart, end, params.get("boundary"))) {
                    children.add(parse(b, r[0], r[1], depth + 1, child, count));
                    if (count[0] >= MAX_PARTS) break;
                }
            } else if (type.equals("message") && (subtype.equals("rfc822") || subtype.equals("global"))) {
                message = Optional.of(parse(b, bodyStart, end, depth + 1, "text/plain", count));
            }
        }
        return new MimePart(b, start, bodyStart, end, headers, type, subtype, params, children, message);
    }

    /** Offset just after the blank line that ends the header (or {@code end} when there is none). */
    private static int headerEnd(byte[] b, int start, int end) {
        if (start < end && b[start] == '\n') return start + 1;
        if (start + 1 < end && b[start] == '\r' && b[start + 1] == '\n') return start + 2;
        for (int i = start; i < end; i++) {
            if (b[i] != '\n') continue;
            if (i + 1 < end && b[i + 1] == '\n') return i + 2;
            if (i + 2 < end && b[i + 1] == '\r' && b[i + 2] == '\n') return i + 3;
        }
        return end;
    }

    static List<Header> headers(byte[] b, int start, int end) {
        List<Header> out = new ArrayList<>();
        int i = start;
        while (i < end) {
            int lineEnd = i;
            // a field runs until a line that does not start with white space
            while (true) {
                while (lineEnd < end && b[lineEnd] != '\n') lineEnd++;
                if (lineEnd < end) lineEnd++;
                if (lineEnd >= end || (b[lineEnd] != ' ' && b[lineEnd] != '\t')) break;
            }
            String raw = new String(b, i, lineEnd - i, StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            if (colon > 0 && !raw.isBlank()) {
                String value = unfold(raw, colon + 1);
                out.add(new Header(raw.substring(0, colon).strip(), value, i, lineEnd));
            }
            i = lineEnd;
        }
        return out;
    }

    /**
     * The field value from {@code from}: each line break before white space becomes one space
     * (RFC 5322 section 2.2.3 unfolding), the final line break goes, outer white space is
     * stripped. By hand, not with regular expressions: this runs for every header of every
     * message a SEARCH or FETCH looks at.
     */
    static String unfold(String raw, int from) {
        int lf = raw.indexOf('\n', from);
        if (lf < 0 || lf == raw.length() - 1) return raw.substring(from).strip(); // one line: nothing to unfold
        StringBuilder sb = new StringBuilder(raw.length() - from);
        int n = raw.length();
        for (int i = from; i < n; i++) {
            char ch = raw.charAt(i);
            if (ch == '\r' && i + 1 < n && raw.charAt(i + 1) == '\n') continue; // CRLF: handled at the LF
            if (ch == '\n') {
                if (i + 1 < n && (raw.charAt(i + 1) == ' ' || raw.charAt(i + 1) == '\t')) {
                    sb.append(' ');
                    i++; // the folding white space character becomes the one space
                    continue;
                }
                if (i + 1 >= n) break; // the final line break
                continue;
            }
            if (ch == '\r' && i + 1 >= n) break;
            sb.append(ch);
        }
        return sb.toString().strip();
    }

    /** Body ranges of a multipart's parts, between "--boundary" lines (RFC 2046 section 5.1.1). */
    private static List<int[]> split(byte[] b, int start, int end, String boundary) {
        byte[] delim = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        List<int[]> out = new ArrayList<>();
        int partStart = -1;
        int i = start;
        while (i < end) {
            int lineEnd = i;
            while (lineEnd < end && b[lineEnd] != '\n') lineEnd++;
            if (startsWith(b, i, lineEnd, delim)) {
                boolean close = startsWith(b, i + delim.length, lineEnd, new byte[] {'-', '-'});
                if (partStart >= 0) {
                    int pe = i;
                    // the CRLF before the delimiter belongs to the delimiter
                    if (pe > partStart && b[pe - 1] == '\n') pe--;
                    if (pe > partStart && b[pe - 1] == '\r') pe--;
                    out.add(new int[] {partStart, Math.max(partStart, pe)});
                }
                if (close) return out;
                partStart = Math.min(end, lineEnd + 1);
            }
            i = lineEnd + 1;
        }
        if (partStart >= 0 && partStart < end) out.add(new int[] {partStart, end});
        return out;
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] p) {
        if (to - from < p.length) return false;
        for (int i = 0; i < p.length; i++) if (b[from + i] != p[i]) return false;
        return true;
    }

    Optional<String> header(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst();
    }

    int bodySize() {
        return end - bodyStart;
    }

    long bodyLines() {
        long n = 0;
        for (int i = bodyStart; i < end; i++) if (src[i] == '\n') n++;
        return n;
    }

    byte[] slice(int from, int to) {
        return java.util.Arrays.copyOfRange(src, from, to);
    }

    /** The header lines whose names are (or, with {@code not}, are not) in {@code names}, plus CRLF. */
    byte[] headerFields(List<String> names, boolean not) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Header h : headers) {
            if (names.contains(h.name().toUpperCase(Locale.ROOT)) != not) out.write(src, h.start(), h.end() - h.start());
        }
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    /** The part at a section path (RFC 9051 section 6.4.5), or empty. */
    Optional<MimePart> at(List<Integer> path) {
        MimePart p = this;
        for (int n : path) {
            if (p.message.isPresent() && p.children.isEmpty()) p = p.message.get();
            if (p.children.isEmpty()) {
                if (n != 1) return Optional.empty();
                continue; // part 1 of a non-multipart is its own body
            }
            if (n > p.children.size()) return Optional.empty();
            p = p.children.get(n - 1);
        }
        return Optional.of(p);
    }
}
