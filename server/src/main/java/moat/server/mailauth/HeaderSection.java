package moat.server.mailauth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import moat.core.Domain;
import moat.core.EmailAddress;

/**
 * The header section of a message as received (RFC 5322 section 2.2): fields with their folded
 * continuation lines, split once at end of the header. Bounded by the caller (smtp.max_header_size).
 */
final class HeaderSection {
    /** One field, raw bytes including its CRLFs (so that filtering keeps the others byte for byte). */
    record Field(String name, byte[] raw) {
        /** The unfolded value after the colon (UTF-8: RFC 6532 headers; other 8-bit bytes become U+FFFD). */
        String value() {
            String s = new String(raw, StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            // Unfolding drops the CRLF before WSP; the field's final CRLF goes too: every CRLF, in one
            // literal pass (was a regex compiled per call, a measurable share of end-of-DATA CPU).
            return s.substring(colon + 1).replace("\r\n", "");
        }

        String line() {
            return new String(raw, StandardCharsets.UTF_8).replace("\r\n", "");
        }
    }

    private final List<Field> fields;
    /** Bytes after the last field: the empty line, or nothing for a message without a body. */
    private final byte[] tail;

    private HeaderSection(List<Field> fields, byte[] tail) {
        this.fields = fields;
        this.tail = tail;
    }

    /** Splits at line starts that are not continuation lines. A line without a colon is kept as a nameless field. */
    static HeaderSection parse(byte[] section) {
        List<Field> fields = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = section.length;
        while (i < n) {
            int eol = indexOfCrlf(section, i);
            int next = eol < 0 ? n : eol + 2;
            boolean empty = eol == i;
            if (empty) { // the empty line that ends the header section
                if (start < i) fields.add(field(section, start, i));
                return new HeaderSection(fields, java.util.Arrays.copyOfRange(section, i, n));
            }
            boolean continuation = section[i] == ' ' || section[i] == '\t';
            if (!continuation && start < i) {
                fields.add(field(section, start, i));
                start = i;
            }
            i = next;
        }
        if (start < n) fields.add(field(section, start, n));
        return new HeaderSection(fields, new byte[0]);
    }

    private static Field field(byte[] b, int from, int to) {
        byte[] raw = java.util.Arrays.copyOfRange(b, from, to);
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        int colon = s.indexOf(':');
        String name = colon < 0 ? "" : s.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        return new Field(name, raw);
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) if (b[i] == '\r' && b[i + 1] == '\n') return i;
        return -1;
    }

    List<Field> fields(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).toList();
    }

    /** The section without the fields {@code drop} matches, byte for byte otherwise. */
    byte[] without(Predicate<Field> drop) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Field f : fields) if (!drop.test(f)) out.writeBytes(f.raw());
        out.writeBytes(tail);
        return out.toByteArray();
    }

    /** What the From field says: RFC 7489 section 6.6.1 needs exactly one author domain. */
    enum FromKind { SINGLE, MISSING, UNPARSABLE, SEVERAL }

    record From(FromKind kind, Optional<EmailAddress> address) {}

    /**
     * The RFC5322.From address DMARC evaluates: SINGLE only for exactly one From field holding
     * exactly one mailbox; SEVERAL for more fields or addresses (or a group), the ambiguity a
     * forger uses to show one author and have another evaluated.
     */
    From from() {
        List<Field> from = fields("from");
        if (from.isEmpty()) return new From(FromKind.MISSING, Optional.empty());
        if (from.size() > 1) return new From(FromKind.SEVERAL, Optional.empty());
        String v = stripComments(from.getFirst().value()).strip();
        if (hasTopLevel(v, ',') || hasTopLevel(v, ';')) return new From(FromKind.SEVERAL, Optional.empty());
        String addr = v;
        int lt = lastTopLevel(v, '<');
        if (lt >= 0) {
            int gt = v.indexOf('>', lt);
            if (countTopLevel(v, '<') > 1) return new From(FromKind.SEVERAL, Optional.empty());
            if (gt < 0 || !v.substring(gt + 1).isBlank()) return new From(FromKind.UNPARSABLE, Optional.empty());
            addr = v.substring(lt + 1, gt).strip();
        } else if (hasTopLevel(v, ':')) {
            return new From(FromKind.SEVERAL, Optional.empty()); // group syntax
        }
        Optional<EmailAddress> a = EmailAddress.parse(addr);
        return new From(a.isPresent() ? FromKind.SINGLE : FromKind.UNPARSABLE, a);
    }

    Optional<EmailAddress> fromAddress() {
        return from().address();
    }

    /** d= of the ARC-Seal with the highest i= (the newest ARC set), lower case. */
    Optional<String> newestArcSealer() {
        int best = -1;
        String domain = null;
        for (Field f : fields("arc-seal")) {
            String i = tag(f.value(), "i");
            String d = tag(f.value(), "d");
            try {
                int inst = Integer.parseInt(i);
                if (inst > best && !d.isEmpty()) {
                    best = inst;
                    domain = d.toLowerCase(Locale.ROOT);
                }
            } catch (NumberFormatException e) {
                // a broken seal: the verifier will say fail; it names no sealer here
            }
        }
        return Optional.ofNullable(domain);
    }

    private static String tag(String value, String name) {
        for (String part : value.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals(name)) return part.substring(eq + 1).replaceAll("\\s", "");
        }
        return "";
    }

    /** Removes RFC 5322 comments (nested, quoted-pair aware) outside quoted strings. */
    private static String stripComments(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (quoted || depth > 0)) {
                if (depth == 0) sb.append(c).append(s.charAt(i + 1));
                i++;
                continue;
            }
            if (depth == 0 && c == '"') quoted = !quoted;
            if (!quoted && c == '(') depth++;
            else if (!quoted && c == ')' && depth > 0) {
                depth--;
                sb.append(' ');
                continue;
            }
            if (depth == 0) sb.append(c);
        }
        return sb.toString();
    }

    private static int countTopLevel(String s, char wanted) {
        int n = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
                continue;
            }
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == wanted) n++;
        }
        return n;
    }

    private static boolean hasTopLevel(String s, char wanted) {
        return lastTopLevel(s, wanted) >= 0;
    }

    /** The last index of {@code wanted} outside quoted strings and angle brackets (for '<': outside quotes). */
    private static int lastTopLevel(String s, char wanted) {
        boolean quoted = false;
        boolean angle = false;
        int found = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
                continue;
            }
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == wanted && (!angle || wanted == '<')) found = i;
            if (!quoted && c == '<') angle = true;
            else if (!quoted && c == '>') angle = false;
        }
        return found;
    }
}
