package moat.auth.spf;

/**
 * A record, macro-string or explanation that does not follow the RFC 7208 ABNF. Checked and
 * package-private in spirit: the evaluator turns it into {@code permerror} (section 4.6), or into
 * "no explanation" for exp= text (section 6.2); it never leaves {@link Spf#check}.
 */
public final class SpfSyntaxException extends Exception {
    public SpfSyntaxException(String message) {
        super(message, null, false, false);
    }
}
