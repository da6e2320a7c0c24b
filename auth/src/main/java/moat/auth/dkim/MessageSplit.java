package moat.auth.dkim;

/** Where the body of an in-memory message starts: after the first empty line (RFC 5322 section 2.1). */
public final class MessageSplit {
    private MessageSplit() {}

    /** Offset of the first body octet; the message length when there is no empty line. */
    public static int bodyStart(byte[] m) {
        if (m.length >= 2 && m[0] == '\r' && m[1] == '\n') return 2; // no header fields at all
        for (int i = 0; i + 3 < m.length; i++) {
            if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') return i + 4;
        }
        return m.length;
    }
}
