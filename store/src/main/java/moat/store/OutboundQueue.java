package moat.store;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;

/**
 * The outbound queue as the delivery runner and the {@code moat queue} command see it: one row per
 * (message, remote recipient). A row leaves the queue only when its fate is final: the remote
 * server answered 250 for it, it failed for good (5xx, expiry) and its DSN (if any) is stored, or
 * an admin deleted it. Until then it survives any crash.
 *
 * <p>Claiming is the SQLite form of {@code FOR UPDATE SKIP LOCKED}: one
 * {@code UPDATE ... SET state='sending', lease_until=? WHERE due ... RETURNING} statement, so two
 * runners (threads, or nodes of a shared database) never get the same row. A lease that expires
 * (its runner died) makes the row claimable again.
 */
public interface OutboundQueue {

    /** Where a row stands. {@code HELD}: frozen by an admin until {@code release}. */
    enum State {
        QUEUED, SENDING, HELD;

        public String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static State of(String column) {
            return valueOf(column.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** One (message, recipient) row. {@code authUser} empty: mail that must never be bounced. */
    record Entry(String queueId, String bodyId, Optional<EmailAddress> sender, EmailAddress recipient, State state,
                 int attempts, Instant nextAttempt, Instant queued, Optional<EmailAddress> authUser, boolean warned,
                 String lastReply, Instant leaseUntil, Optional<EmailAddress> forwardedBy) {}

    /**
     * Claims up to {@code max} rows that are due ({@code QUEUED} with {@code next_attempt <= now},
     * or {@code SENDING} with an expired lease), setting them {@code SENDING} until
     * {@code now + lease}. Oldest first.
     */
    List<Entry> claim(Instant now, Duration lease, int max) throws IOException;

    /**
     * Re-queues every {@code SENDING} row, due at {@code now}: called once at start by the only
     * process that may hold the store (the embedded store is locked per data directory), after a
     * crash or {@code kill -9} during delivery. Returns the number of rows re-queued.
     */
    int requeueAbandoned(Instant now) throws IOException;

    /**
     * The final fate of a claimed row (delivered, or failed with its DSN stored): the row goes,
     * and the body with it when no message and no other outbound row refers to it.
     */
    void remove(String queueId, EmailAddress recipient) throws IOException;

    /** A claimed row failed temporarily: back to {@code QUEUED} for {@code next}, attempts + 1. */
    void defer(String queueId, EmailAddress recipient, Instant next, String lastReply) throws IOException;

    /**
     * A claimed row that was not attempted (a sending rate limit holds it): back to
     * {@code QUEUED} for {@code until}, attempts unchanged, {@code note} as its last reply.
     */
    void postpone(String queueId, EmailAddress recipient, Instant until, String note) throws IOException;

    /** The delay warning DSN for this row is stored: do not send another one. */
    void markWarned(String queueId, EmailAddress recipient) throws IOException;

    /** Every row, oldest first. */
    List<Entry> list() throws IOException;

    /** The earliest {@code next_attempt} of a {@code QUEUED} row, if any. */
    Optional<Instant> nextDue() throws IOException;

    /** Reads the body of a queued message. */
    InputStream openBody(String bodyId) throws IOException;

    /** Size in octets of a queued body. */
    long bodySize(String bodyId) throws IOException;

    // ---- admin (moat queue ...): each returns the number of rows changed

    /** {@code QUEUED} rows of the message become {@code HELD}. */
    int hold(String queueId) throws IOException;

    /** {@code HELD} rows of the message become {@code QUEUED}, due now. */
    int release(String queueId, Instant now) throws IOException;

    /** {@code QUEUED} rows of the message are due now (the back-off is skipped once). */
    int retryNow(String queueId, Instant now) throws IOException;

    /** Deletes the message's rows that are not being sent right now (no DSN); frees the body. */
    int delete(String queueId) throws IOException;
}
