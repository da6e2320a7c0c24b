package moat.auth.dkim;

/** A DKIM-Signature field or key record that breaks the RFC 6376 grammar; ends as permerror. */
final class DkimSyntaxException extends Exception {
    DkimSyntaxException(String message) {
        super(message, null, false, false);
    }
}
