package moat.protocol.imap;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Mailbox names on the wire. IMAP4rev1 clients use modified UTF-7 (RFC 3501 section 5.1.3);
 * IMAP4rev2 sessions (after {@code ENABLE IMAP4rev2} or {@code UTF8=ACCEPT}) send UTF-8
 * (RFC 9051 section 5.1). Inside Moat a name is a plain Java string.
 *
 * <p>Decoding is strict: a malformed shift sequence, a non-canonical encoding (printable ASCII
 * inside a shift, two adjacent shifts, padding bits set) is refused, so one stored name has one
 * wire form and names cannot be smuggled past comparisons.
 */
final class MailboxName {
    private static final String B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    static final int MAX_LENGTH = 512;

    private MailboxName() {}

    /** The name a client sent, validated; empty when it is not acceptable. */
    static Optional<String> fromWire(String wire, boolean utf8) {
        Optional<String> name = utf8 ? Optional.of(wire) : decode(wire);
        return name.filter(MailboxName::acceptable);
    }

    /** No control characters, no empty hierarchy levels, bounded length. */
    static boolean acceptable(String n) {
        if (n.isEmpty() || n.length() > MAX_LENGTH) return false;
        if (n.startsWith("/") || n.endsWith("/") || n.contains("//")) return false;
        return n.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f && c != '*' && c != '%');
    }

    static String toWire(String name, boolean utf8) {
        return utf8 ? name : encode(name);
    }

    static Optional<String> decode(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        boolean lastWasShift = false;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) return Optional.empty();
            if (c != '&') {
                out.append(c);
                i++;
                lastWasShift = false;
                continue;
            }
            int end = s.indexOf('-', i + 1);
            if (end < 0) return Optional.empty();
            if (end == i + 1) {
                out.append('&');
                i = end + 1;
                lastWasShift = false;
                continue;
            }
            if (lastWasShift) return Optional.empty(); // "&AAA-&AAA-" must be one shift
            int bits = 0;
            int buffer = 0;
            StringBuilder utf16 = new StringBuilder();
            for (int j = i + 1; j < end; j++) {
                int v = B64.indexOf(s.charAt(j));
                if (v < 0) return Optional.empty();
                buffer = (buffer << 6) | v;
                bits += 6;
                if (bits >= 16) {
                    bits -= 16;
                    char u = (char) ((buffer >> bits) & 0xffff);
                    if (u >= 0x20 && u <= 0x7e) return Optional.empty(); // printable ASCII must not be encoded
                    utf16.append(u);
                }
            }
            if (bits >= 6 || (buffer & ((1 << bits) - 1)) != 0 || utf16.isEmpty()) return Optional.empty();
            String decoded = utf16.toString();
            // Unpaired surrogates are not a name.
            byte[] round = decoded.getBytes(StandardCharsets.UTF_8);
            if (!new String(round, StandardCharsets.UTF_8).equals(decoded)) return Optional.empty();
            out.append(decoded);
            i = end + 1;
            lastWasShift = true;
        }
        return Optional.of(out.toString());
    }

    static String encode(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                out.append(c == '&' ? "&-" : String.valueOf(c));
                i++;
                continue;
            }
            out.append('&');
            int bits = 0;
            int buffer = 0;
            while (i < s.length() && (s.charAt(i) < 0x20 || s.charAt(i) > 0x7e)) {
                buffer = (buffer << 16) | s.charAt(i++);
                bits += 16;
                while (bits >= 6) {
                    bits -= 6;
                    out.append(B64.charAt((buffer >> bits) & 0x3f));
                }
            }
            if (bits > 0) out.append(B64.charAt((buffer << (6 - bits)) & 0x3f));
            out.append('-');
        }
        return out.toString();
    }
}
