package moat.auth.dkim;

import java.util.Locale;

/** RFC 6376 section 3.4: the two canonicalisation algorithms, for headers and for the body. */
public enum Canonicalization {
    SIMPLE("simple"), RELAXED("relaxed");

    private final String token;

    Canonicalization(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    public static Canonicalization of(String token) throws DkimSyntaxException {
        return switch (token) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> throw new DkimSyntaxException("unknown canonicalization " + token);
        };
    }

    /** One header field canonicalised, with its CRLF (sections 3.4.1 and 3.4.2). */
    public String header(HeaderField f) {
        return header(f.name(), f.raw()) + "\r\n";
    }

    /**
     * The canonical text of {@code raw} without the trailing CRLF, as the DKIM-Signature field
     * itself enters the hash (section 3.7: "without a trailing CRLF").
     */
    public String header(String name, String raw) {
        return switch (this) {
            case SIMPLE -> raw;
            case RELAXED -> name.toLowerCase(Locale.ROOT) + ":" + relaxValue(raw.substring(raw.indexOf(':') + 1));
        };
    }

    /**
     * Section 3.4.2: unfold, turn every WSP run into one SP, drop WSP at the start and end of the
     * value.
     */
    static String relaxValue(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        boolean wsp = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') continue; // unfolding: CRLF inside a field is always followed by WSP
            if (c == ' ' || c == '\t') {
                wsp = true;
                continue;
            }
            if (wsp && !sb.isEmpty()) sb.append(' ');
            wsp = false;
            sb.append(c);
        }
        return sb.toString();
    }
}
