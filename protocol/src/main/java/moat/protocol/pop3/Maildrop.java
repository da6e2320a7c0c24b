package moat.protocol.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;

/**
 * The narrow view of a user's store that a POP3 session needs (RFC 1939 section 2: the
 * maildrop). The server module implements it over the mail store; its lock is held from
 * {@link Pop3Handler#openMaildrop} until {@link #release()}.
 */
public interface Maildrop {
    /**
     * One message as the session numbers it. {@code uid} identifies it to the store;
     * {@code uniqueId} is the UIDL value: stable across sessions, 1..70 characters in 0x21..0x7E
     * (RFC 1939 section 7).
     */
    record Entry(long uid, long size, String uniqueId) {
        public Entry {
            if (uniqueId.isEmpty() || uniqueId.length() > 70 || !uniqueId.chars().allMatch(c -> c >= 0x21 && c <= 0x7e))
                throw new IllegalArgumentException("invalid unique-id: " + uniqueId);
            if (size < 0) throw new IllegalArgumentException("negative size");
        }
    }

    /** The messages at the start of the session, oldest first; the session numbers them 1..n. */
    List<Entry> entries() throws IOException;

    /** The message as stored (CRLF lines, not dot-stuffed). */
    InputStream open(Entry entry) throws IOException;

    /** Removes the messages for good (the UPDATE state, RFC 1939 section 6). */
    void delete(Collection<Entry> entries) throws IOException;

    /** Releases the maildrop lock. Idempotent. */
    void release();
}
