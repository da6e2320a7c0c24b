package moat.protocol.imap;

/** What the I/O layer must do after the session handled a command. Bytes are ready for the wire. */
public sealed interface ImapAction {
    /** Write and read the next command. */
    record Send(byte[] bytes) implements ImapAction {}

    /** Write, flush and close the connection. */
    record Close(byte[] bytes) implements ImapAction {}

    /** Write the OK, discard anything buffered, then do the server side of the TLS handshake. */
    record StartTls(byte[] bytes) implements ImapAction {}

    /**
     * Write the continuation and idle (RFC 2177): report {@link ImapSession#idleUpdates()} whenever
     * the mailbox changes, until the client sends DONE ({@link ImapSession#idleDone}).
     */
    record Idle(byte[] bytes, long mailboxId) implements ImapAction {}

    /** Write a continuation request; the next line is a SASL response (RFC 9051 section 6.2.2). */
    record Continue(byte[] bytes) implements ImapAction {}
}
