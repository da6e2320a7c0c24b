package moat.protocol.imap;

/**
 * A command the parser cannot read. Confined to this package: the session turns it into a
 * tagged BAD value at once, so no exception crosses the session's boundary.
 */
final class SyntaxError extends Exception {
    SyntaxError(String message) {
        super(message, null, false, false);
    }
}
