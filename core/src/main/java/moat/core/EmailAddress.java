package moat.core;

import java.util.Locale;
import java.util.Optional;

/**
 * A mailbox {@code local-part@domain} per RFC 5321 section 4.1.2, with an RFC 6531 UTF-8 local
 * part allowed. The local part is kept as received (dot-string, or the content of a
 * quoted-string without the quotes and escapes); {@link #key()} is the case-folded form used
 * for look-ups.
 *
 * <p>Address literals ({@code user@[192.0.2.1]}) are not mailboxes of this type: they are never
 * local and Moat never relays to them, so the parser refuses them and the SMTP layer answers with
 * its own reason.
 */
public record EmailAddress(String localPart, Domain domain) {
    /** RFC 5321 section 4.5.3.1.1. */
    public static final int MAX_LOCAL_PART = 64;
    /** RFC 5321 section 4.5.3.1.3 (path of 256 octets less the angle brackets). */
    public static final int MAX_ADDRESS = 254;

    public EmailAddress {
        if (localPart == null || localPart.isEmpty()) throw new IllegalArgumentException("empty local part");
        if (localPart.length() > MAX_LOCAL_PART) throw new IllegalArgumentException("local part too long");
        for (int i = 0; i < localPart.length(); i++) {
            char c = localPart.charAt(i);
            if (c < 0x20 || c == 0x7f) throw new IllegalArgumentException("control character in local part");
        }
    }

    /**
     * Strict parse of an RFC 5321 {@code Mailbox}: dot-string or quoted-string local part, a
     * domain (no address literal, no trailing dot). Empty for anything else.
     */
    public static Optional<EmailAddress> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_ADDRESS) return Optional.empty();
        int at;
        String local;
        if (text.charAt(0) == '"') {
            StringBuilder sb = new StringBuilder();
            int i = 1;
            boolean closed = false;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= text.length()) return Optional.empty();
                    char e = text.charAt(i + 1);
                    if (e < 0x20 || e > 0x7e && e < 0x80) return Optional.empty(); // quoted-pairSMTP: %d32-126
                    sb.append(e);
                    i += 2;
                } else if (c == '"') {
                    closed = true;
                    i++;
                    break;
                } else {
                    if (c < 0x20 || c == 0x7f) return Optional.empty();
                    sb.append(c);
                    i++;
                }
            }
            if (!closed || i >= text.length() || text.charAt(i) != '@' || sb.isEmpty()) return Optional.empty();
            at = i;
            local = sb.toString();
        } else {
            at = text.lastIndexOf('@');
            if (at <= 0) return Optional.empty();
            local = text.substring(0, at);
            if (!isDotString(local)) return Optional.empty();
        }
        String dom = text.substring(at + 1);
        if (dom.isEmpty() || dom.startsWith("[") || dom.endsWith(".")) return Optional.empty();
        if (local.length() > MAX_LOCAL_PART) return Optional.empty();
        return Domain.parse(dom).map(d -> new EmailAddress(local, d));
    }

    public static EmailAddress of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("invalid address: " + text));
    }

    /** RFC 5321 Dot-string of atext, with RFC 6531 UTF-8 non-ASCII allowed. */
    static boolean isDotString(String s) {
        if (s.isEmpty() || s.charAt(0) == '.' || s.charAt(s.length() - 1) == '.') return false;
        char prev = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (prev == '.') return false;
            } else if (!isAtext(c)) {
                return false;
            }
            prev = c;
        }
        return true;
    }

    /** RFC 5322 atext plus non-ASCII (RFC 6531 UTF8-non-ascii). */
    static boolean isAtext(char c) {
        if (c >= 0x80) return !Character.isISOControl(c) && !Character.isWhitespace(c);
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') return true;
        return "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    public boolean isAscii() {
        for (int i = 0; i < localPart.length(); i++) if (localPart.charAt(i) >= 0x80) return false;
        return true;
    }

    /** Case-folded look-up key. Local parts are treated case-insensitively, as users expect. */
    public String key() {
        return localPart.toLowerCase(Locale.ROOT) + "@" + domain.ascii();
    }

    /** The address as it would be written in a path: quoted when the local part needs it. */
    @Override
    public String toString() {
        if (isDotString(localPart)) return localPart + "@" + domain.ascii();
        StringBuilder sb = new StringBuilder("\"");
        for (char c : localPart.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.append("\"@").append(domain.ascii()).toString();
    }
}
