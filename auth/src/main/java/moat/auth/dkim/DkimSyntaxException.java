package moat.auth.dkim;

/** A DKIM-Signature field or key record that breaks the RFC 6376 grammar; ends as permerror. */
public final class DkimSyntaxException extends Exception {
    public DkimSyntaxException(String message) {
        super(message, null, false, false);
    }
}
