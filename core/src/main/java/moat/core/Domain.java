package moat.core;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/**
 * A domain name as RFC 5321 section 4.1.2 allows it in a mailbox: LDH labels of 1 to 63 octets,
 * at most 253 octets, no trailing dot. Internationalised names are held in their ASCII (A-label)
 * form, lower-cased, so two spellings of one domain are equal.
 */
public record Domain(String ascii) implements Comparable<Domain> {
    public Domain {
        if (!valid(ascii)) throw new IllegalArgumentException("invalid domain: " + ascii);
    }

    /** Parses and normalises a domain (U-labels become A-labels); empty when it is not valid. */
    public static Optional<Domain> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 253 * 4) return Optional.empty();
        String ascii;
        try {
            ascii = IDN.toASCII(text, 0).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // IDN.toASCII maps U+3002 and friends to '.', which could hide a trailing dot: check again.
        return valid(ascii) ? Optional.of(new Domain(ascii)) : Optional.empty();
    }

    /** Like {@link #parse} but throws on invalid input: for configuration and the CLI. */
    public static Domain of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("invalid domain: " + text));
    }

    private static boolean valid(String s) {
        if (s == null || s.isEmpty() || s.length() > 253) return false;
        int labelStart = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '.') {
                int len = i - labelStart;
                if (len < 1 || len > 63) return false;
                if (s.charAt(labelStart) == '-' || s.charAt(i - 1) == '-') return false;
                labelStart = i + 1;
                continue;
            }
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) return false;
        }
        return true;
    }

    /** Unicode form for display. */
    public String unicode() {
        return IDN.toUnicode(ascii, IDN.ALLOW_UNASSIGNED);
    }

    /** True when this is {@code other} or a subdomain of it. */
    public boolean isWithin(Domain other) {
        return ascii.equals(other.ascii) || ascii.endsWith("." + other.ascii);
    }

    @Override
    public int compareTo(Domain o) {
        return ascii.compareTo(o.ascii);
    }

    @Override
    public String toString() {
        return ascii;
    }
}
