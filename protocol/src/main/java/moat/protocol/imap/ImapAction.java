package moat.protocol.imap;

/** What the I/O layer must do after the session handled a command. Bytes are ready for the wire. */
public sealed interface ImapAction {
    /**
     * Write and read the next command. A large response comes as several parts (blocks of a
     * FETCH 1:*), written in order, so it is never joined into one array.
     */
    record Send(java.util.List<byte[]> parts) implements ImapAction {
        public Send {
            parts = java.util.List.copyOf(parts);
        }

        public Send(byte[] bytes) {
            this(java.util.List.of(bytes));
        }

        /** The parts joined (for tests and small replies). */
        public byte[] bytes() {
            if (parts.size() == 1) return parts.getFirst();
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (byte[] p : parts) all.writeBytes(p);
            return all.toByteArray();
        }
    }

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
