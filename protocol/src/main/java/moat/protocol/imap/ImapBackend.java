package moat.protocol.imap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import moat.core.EmailAddress;

/**
 * What an IMAP session asks of the rest of the server: logins and the user's mailboxes. The
 * server module implements it over the store's {@code Mailboxes} SPI; the session never sees
 * the store. Mailbox names here are Java strings (already decoded from the wire).
 */
public interface ImapBackend {
    /** TLS in use on a connection, for the audit log. */
    record Tls(String version, String cipher) {}

    /** Who is talking, for the audit log: the session id, the client, TLS when active. */
    record Peer(String sessionId, InetSocketAddress client, Optional<Tls> tls) {}

    /** Checks a password (through the server's login gate). The array is wiped by the caller. */
    LoginResult login(Peer peer, String username, char[] password);

    /** The session of a logged-in user ended (frees its per-user connection slot). */
    void logout(Peer peer, EmailAddress user);

    List<MailboxInfo> list(EmailAddress user);

    Optional<MailboxInfo> find(EmailAddress user, String name);

    Change create(EmailAddress user, String name);

    Change delete(EmailAddress user, String name);

    Change rename(EmailAddress user, String from, String to);

    Change subscribe(EmailAddress user, String name, boolean subscribed);

    /**
     * The mailbox with its counters and its UIDs ascending, read together: what SELECT needs
     * (no message rows read when the UIDs have no gaps).
     */
    Optional<Selection> select(long mailboxId);

    /**
     * Every message row of the mailbox in UID order, flags as stored (names separated by one
     * space); the mailbox read in the same snapshot, or empty when it is gone.
     */
    Optional<MailboxInfo> scan(long mailboxId, RowVisitor visitor);

    /** {@link #scan} without size and INTERNALDATE (the visitor gets 0 for both): cheaper per row. */
    Optional<MailboxInfo> scanFlags(long mailboxId, RowVisitor visitor);

    @FunctionalInterface
    interface RowVisitor {
        void row(long uid, String flags, long modseq, long size, long internalDateMillis);
    }

    OptionalLong highestModseq(long mailboxId);

    /** The mailbox and only its messages with a modseq above {@code modseq} (see Mailboxes.changesSince). */
    Optional<Snapshot> changesSince(long mailboxId, long modseq);

    byte[] read(long mailboxId, long uid) throws IOException;

    /** Cached parse results of the given messages, by UID; absent when not cached yet. */
    Map<Long, Summary> summaries(long mailboxId, Collection<Long> uids);

    /**
     * Only the header-search form of the cached summaries, by UID; absent when not cached. A
     * cached message whose fields hold none of {@code anyOf} (when not empty) comes back with
     * empty fields: the caller asked for those that do, and one scan in the store finds them.
     */
    Map<Long, HeaderFields> headerFields(long mailboxId, Collection<Long> uids, List<byte[]> anyOf);

    /** Caches parse results (best effort: a failure only means parsing again next time). */
    void saveSummaries(long mailboxId, Map<Long, Summary> byUid);

    List<MessageInfo> store(long mailboxId, Set<Long> uids, FlagMode mode, Set<String> flags, OptionalLong unchangedSince);

    List<Long> expunge(long mailboxId, Optional<Set<Long>> uids);

    CopyResult copy(long from, Set<Long> uids, long to, boolean move);

    AppendResult append(long mailboxId, byte[] message, Set<String> flags, Instant internalDate) throws IOException;

    /** Runs {@code onChange} after each committed change of the mailbox; close to stop. */
    AutoCloseable watch(long mailboxId, Runnable onChange);

    Instant now();

    /** The user's storage usage and limit (RFC 9208 STORAGE), in octets. */
    QuotaStatus quota(EmailAddress user);

    sealed interface LoginResult {
        record Success(EmailAddress user) implements LoginResult {}

        record Failure() implements LoginResult {}

        /** Too many sessions for this user, or the gate holds the account/IP back. */
        record Refused(String why) implements LoginResult {}
    }

    enum FlagMode { ADD, REMOVE, REPLACE }

    enum Change { DONE, NOT_FOUND, ALREADY_EXISTS, REFUSED }

    record MailboxInfo(long id, String name, long uidValidity, long uidNext, long highestModseq,
                       Optional<String> specialUse, boolean subscribed, long messages, long unseen, long size) {}

    record MessageInfo(long uid, Set<String> flags, long modseq, long size, Instant internalDate) {
        public MessageInfo {
            flags = Set.copyOf(flags);
        }
    }

    record Snapshot(MailboxInfo mailbox, List<MessageInfo> messages) {
        public Snapshot {
            messages = List.copyOf(messages);
        }
    }

    /** {@code uids} ascending; the array belongs to the receiver. */
    record Selection(MailboxInfo mailbox, long[] uids) {}

    record CopyResult(long uidValidity, List<Long> sourceUids, List<Long> destinationUids) {}

    record AppendResult(long uidValidity, long uid) {}

    record QuotaStatus(long usage, long limit) {
        /** True when {@code more} octets would take the user past the limit. */
        public boolean exceededBy(long more) {
            return usage + more > limit;
        }
    }

    /**
     * A message's parse results in wire form, so FETCH ENVELOPE/BODY/BODYSTRUCTURE and header
     * SEARCH need neither the file nor a parse once cached. {@code format} is
     * {@link MessageSummary#FORMAT} of the code that wrote it; {@code fields} is the
     * {@link SearchFields} form of the top-level header.
     */
    record Summary(int format, byte[] envelope, byte[] body, byte[] bodyStructure, byte[] header, byte[] fields) {
        /**
         * Parses a whole message into its summary: what the store runs on a newly delivered or
         * appended message, off the acceptance path, so that the first FETCH finds it cached.
         */
        public static Summary of(byte[] message) {
            return MessageSummary.of(MimePart.parse(message));
        }
    }

    /** The {@link SearchFields} form of a message's header, with the summary format that wrote it. */
    record HeaderFields(int format, byte[] fields) {}
}
