package moat.store;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import moat.core.EmailAddress;

/**
 * A user's mailboxes as IMAP sees them (RFC 9051 section 2.3): named folders holding messages
 * with stable UIDs under a UIDVALIDITY, flags, and a per-change modification sequence
 * (RFC 7162 CONDSTORE). Every mutation takes the mailbox's next modseq, so a session can tell
 * "nothing changed" from one cheap {@link #highestModseq} read.
 *
 * <p>Names are case-sensitive except {@code INBOX}; the hierarchy delimiter is {@code /}. The
 * caller validates name syntax; the store enforces existence and uniqueness and answers with an
 * {@link Outcome} value, not an exception.
 *
 * <p>{@link #watch} is the in-process change notifier: the listener runs after each committed
 * change of that mailbox (SMTP delivery included), on the committing thread, so it must only
 * signal (set a flag, wake a thread), never block.
 */
public interface Mailboxes {
    String INBOX = "INBOX";
    char DELIMITER = '/';

    List<Mailbox> list(EmailAddress user);

    Optional<Mailbox> find(EmailAddress user, String name);

    Outcome create(EmailAddress user, String name);

    Outcome delete(EmailAddress user, String name);

    Outcome rename(EmailAddress user, String from, String to);

    Outcome subscribe(EmailAddress user, String name, boolean subscribed);

    /** Octets of every message in every mailbox of the user (RFC 9208 STORAGE usage); 0 when none. */
    long usage(EmailAddress user);

    /** Every message of the mailbox in UID order, with the mailbox counters, read in one snapshot. */
    Optional<Snapshot> snapshot(long mailboxId);

    /**
     * The mailbox (with its counters) and only its messages whose modseq is above {@code modseq},
     * read in one snapshot: what changed since a session last looked, through the modseq index.
     * Expunges leave no row; a caller tells them from the message count.
     */
    Optional<Snapshot> changesSince(long mailboxId, long modseq);

    /**
     * The mailbox (with its counters) and its UIDs in ascending order, read in one snapshot:
     * what an IMAP SELECT needs, without reading any message row when the UIDs have no gaps
     * (the count and the smallest and largest UID then say it all; two index probes).
     */
    Optional<UidMap> uidMap(long mailboxId);

    /**
     * Calls {@code visitor} for every message of the mailbox in UID order, with the flags as
     * stored (names separated by one space, "" when none), without an object per message;
     * returns the mailbox read in the same snapshot, or empty when it no longer exists.
     */
    default Optional<Mailbox> scan(long mailboxId, RowVisitor visitor) {
        return scan(mailboxId, true, visitor);
    }

    /**
     * {@link #scan}, reading size and INTERNALDATE only when {@code sizeAndDate} (else the
     * visitor gets 0 for both): flags and modseq alone are what a flag sync needs, and every
     * column read costs a call into the driver per row (docs/adr/0018).
     */
    Optional<Mailbox> scan(long mailboxId, boolean sizeAndDate, RowVisitor visitor);

    /** One message row of {@link #scan}. */
    @FunctionalInterface
    interface RowVisitor {
        void row(long uid, String flags, long modseq, long size, long internalDateMillis);
    }

    /** The mailbox's HIGHESTMODSEQ, or empty when it no longer exists. */
    OptionalLong highestModseq(long mailboxId);

    InputStream open(long mailboxId, long uid) throws IOException;

    /**
     * The cached summaries of the given messages' bodies, by UID; a message without one (never
     * summarised yet) is absent. One indexed read for any number of UIDs. Their {@code fields}
     * are not read here (empty): {@link #headerFields} reads them, apart, for SEARCH.
     */
    Map<Long, Summary> summaries(long mailboxId, Collection<Long> uids);

    /**
     * Only the {@code fields} of the cached summaries (what header SEARCH reads), by UID. When
     * {@code anyOf} is not empty, a cached summary whose fields contain none of those byte
     * strings comes back with empty fields: the store scans for them, the caller skips those.
     */
    Map<Long, HeaderFields> headerFields(long mailboxId, Collection<Long> uids, List<byte[]> anyOf);

    /**
     * Has the store summarise each message it stores from now on (SMTP delivery and
     * {@link #append}) with {@code summarizer}, on a background thread after the commit, so the
     * caller's acceptance path does not wait for it. Best effort and bounded: what it drops or
     * fails on is summarised on first use, as before. Replaces an earlier summarizer.
     */
    void summarizeArrivals(Summarizer summarizer);

    /** Turns a stored message's octets into its summary; throws only on a bug. */
    @FunctionalInterface
    interface Summarizer {
        Summary summarize(byte[] message);
    }

    /**
     * Saves summaries, keyed by the messages' bodies (every copy of a message shares it).
     * A cache: a message gone meanwhile is skipped, and a failure loses nothing but time.
     */
    void saveSummaries(long mailboxId, Map<Long, Summary> byUid);

    /** Changes flags of the given UIDs; returns the messages whose flags changed (new modseq each). */
    List<Message> store(long mailboxId, Set<Long> uids, FlagMode mode, Set<String> flags, OptionalLong unchangedSince);

    /** Removes the messages flagged {@code \Deleted} (only among {@code uids} when given); returns their UIDs. */
    List<Long> expunge(long mailboxId, Optional<Set<Long>> uids);

    /** Copies (or moves) messages, in UID order; the result pairs source and destination UIDs (RFC 4315). */
    CopyResult copy(long fromMailbox, Set<Long> uids, long toMailbox, boolean move);

    /** Stores a message durably (file and directory fsync'd, index committed) and returns its UID. */
    AppendResult append(long mailboxId, byte[] message, Set<String> flags, Instant internalDate) throws IOException;

    /** Calls {@code onChange} after every committed change of the mailbox; close to stop. */
    Watch watch(long mailboxId, Runnable onChange);

    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    enum FlagMode { ADD, REMOVE, REPLACE }

    record Mailbox(long id, String name, long uidValidity, long uidNext, long highestModseq,
                   Optional<String> specialUse, boolean subscribed, long messages, long unseen, long size) {}

    record Message(long uid, Set<String> flags, long modseq, long size, Instant internalDate) {
        public Message {
            flags = Set.copyOf(flags);
        }
    }

    record Snapshot(Mailbox mailbox, List<Message> messages) {
        public Snapshot {
            messages = List.copyOf(messages);
        }
    }

    /** {@code uids} ascending; the array belongs to the receiver (the store keeps no reference). */
    record UidMap(Mailbox mailbox, long[] uids) {}

    record CopyResult(long uidValidity, List<Long> sourceUids, List<Long> destinationUids) {
        public CopyResult {
            sourceUids = List.copyOf(sourceUids);
            destinationUids = List.copyOf(destinationUids);
        }
    }

    record AppendResult(long uidValidity, long uid) {}

    /**
     * What a reader of a message derives from parsing it, stored so it is parsed once: opaque
     * to the store. {@code format} is the writer's serializer version (a reader ignores other
     * versions); the byte arrays are the writer's encodings (for IMAP: ENVELOPE, BODY and
     * BODYSTRUCTURE in wire form, the top-level header section, and its fields as header
     * SEARCH matches them). {@code fields} is stored apart and read only by {@link #headerFields}.
     */
    record Summary(int format, byte[] envelope, byte[] body, byte[] bodyStructure, byte[] header, byte[] fields) {}

    /** The {@code fields} of a {@link Summary}, with its format. */
    record HeaderFields(int format, byte[] fields) {}

    sealed interface Outcome {
        record Done() implements Outcome {}

        record NotFound() implements Outcome {}

        record AlreadyExists() implements Outcome {}

        /** Refused for a reason the user can read (deleting INBOX, renaming into a child of itself). */
        record Refused(String why) implements Outcome {}
    }
}
