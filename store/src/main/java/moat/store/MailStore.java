package moat.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;

/**
 * Durable message storage. A message is streamed into a {@link Draft} while it arrives, then
 * {@link #commit committed}: when {@code commit} returns, the body file and its directory are
 * fsync'd and the index rows (one per local mailbox, one per remote recipient in the outbound
 * queue) are committed; concurrent commits share those fsyncs (group commit). Only then may the
 * caller answer "250".
 */
public interface MailStore {
    /** Opens a new body file in the data directory. */
    Draft begin() throws IOException;

    /**
     * Makes the draft durable and delivers it. Blocks until the group commit that carries it is on
     * stable storage. The draft's stream must be closed. Returns the queue id.
     */
    String commit(Draft draft, Delivery delivery) throws IOException;

    /** Every message in one of a user's mailboxes (POP3 reads INBOX), in UID order. */
    List<StoredMessage> messages(EmailAddress user, String mailbox) throws IOException;

    /**
     * Removes messages from a user's mailbox for good, in one transaction that also bumps the
     * mailbox's highest modseq. Unknown UIDs are ignored. A body file is deleted (after the commit)
     * only when no message and no outbound row refers to it any more.
     */
    void expunge(EmailAddress user, String mailbox, java.util.Collection<Long> uids) throws IOException;

    /** Reads a stored message body. */
    InputStream open(StoredMessage message) throws IOException;

    /** Every row of the outbound queue, oldest first ({@link OutboundQueue#list} has their delivery state). */
    List<QueuedMessage> outbound() throws IOException;

    /** A body being written. {@link #discard()} deletes it; it is idempotent and safe after commit. */
    interface Draft extends AutoCloseable {
        /** The queue id this message will have once committed (known early for the Received header). */
        String id();

        OutputStream out();

        /** Bytes written so far. */
        long size();

        void discard();

        /**
         * Puts {@code prefix} before everything written so far (trace and authentication header
         * fields that can only be computed once the whole body has streamed: DKIM-Signature,
         * Authentication-Results). The prefix is kept with the index row, not copied into the body
         * file (docs/adr/0020); every reader of the stored message sees it in front, and
         * {@link #size()} counts it. A later call goes on top of an earlier one. The draft stays
         * open for writing after it.
         */
        void prepend(byte[] prefix) throws IOException;

        /** Reads back what was written so far (after a flush): for checks that need the whole message. */
        InputStream readBack() throws IOException;

        @Override
        default void close() {
            discard();
        }
    }

    /**
     * What to do with a committed message. {@code mailbox} is where local users get it: INBOX, or
     * Junk for a message quarantined by DMARC (a user without it gets it in INBOX). {@code authUser}
     * is the account that submitted it (SMTP AUTH); empty for mail received without
     * authentication, which is never bounced. {@code forwardedBy} maps a remote recipient that an
     * alias expanded to on port 25 to that alias: the queue runner ARC-seals its copy for the
     * alias's domain. {@code holdRemote}: the remote recipients' queue rows are written
     * {@code HELD} in the same transaction (a quarantined message: nothing leaves until an admin
     * releases it, and the queue runner never sees it queued in between).
     */
    record Delivery(Optional<EmailAddress> sender, List<EmailAddress> localUsers, List<EmailAddress> remote,
                    Instant received, String mailbox, Optional<EmailAddress> authUser,
                    java.util.Map<EmailAddress, EmailAddress> forwardedBy, boolean holdRemote) {
        public Delivery {
            localUsers = List.copyOf(localUsers);
            remote = List.copyOf(remote);
            forwardedBy = java.util.Map.copyOf(forwardedBy);
            java.util.Objects.requireNonNull(mailbox, "mailbox");
            java.util.Objects.requireNonNull(authUser, "authUser");
            if (localUsers.isEmpty() && remote.isEmpty()) throw new IllegalArgumentException("nobody to deliver to");
        }

        /** Remote recipients queued for delivery at once. */
        public Delivery(Optional<EmailAddress> sender, List<EmailAddress> localUsers, List<EmailAddress> remote,
                        Instant received, String mailbox, Optional<EmailAddress> authUser,
                        java.util.Map<EmailAddress, EmailAddress> forwardedBy) {
            this(sender, localUsers, remote, received, mailbox, authUser, forwardedBy, false);
        }

        /** Nothing forwarded by an alias. */
        public Delivery(Optional<EmailAddress> sender, List<EmailAddress> localUsers, List<EmailAddress> remote,
                        Instant received, String mailbox, Optional<EmailAddress> authUser) {
            this(sender, localUsers, remote, received, mailbox, authUser, java.util.Map.of());
        }

        /** Mail received without authentication, delivered to INBOX. */
        public Delivery(Optional<EmailAddress> sender, List<EmailAddress> localUsers, List<EmailAddress> remote,
                        Instant received) {
            this(sender, localUsers, remote, received, "INBOX", Optional.empty());
        }

        /** Mail received without authentication, delivered to {@code mailbox}. */
        public Delivery(Optional<EmailAddress> sender, List<EmailAddress> localUsers, List<EmailAddress> remote,
                        Instant received, String mailbox) {
            this(sender, localUsers, remote, received, mailbox, Optional.empty());
        }

        /** Submitted by {@code authUser}, delivered to INBOX. */
        public Delivery(Optional<EmailAddress> sender, List<EmailAddress> localUsers, List<EmailAddress> remote,
                        Instant received, Optional<EmailAddress> authUser) {
            this(sender, localUsers, remote, received, "INBOX", authUser);
        }
    }

    record StoredMessage(String queueId, EmailAddress user, String mailbox, long uid, long uidValidity, long modseq,
                         long size, Instant internalDate, List<String> flags) {
        public StoredMessage {
            flags = List.copyOf(flags);
        }
    }

    record QueuedMessage(String queueId, Optional<EmailAddress> sender, EmailAddress recipient, Instant queued) {}
}
