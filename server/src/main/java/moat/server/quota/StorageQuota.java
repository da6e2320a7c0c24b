package moat.server.quota;

import java.util.OptionalLong;
import moat.core.EmailAddress;
import moat.store.Directory;
import moat.store.Mailboxes;

/** A user's storage limit and usage, from the directory (own limit), the config (default) and the mailboxes. */
public final class StorageQuota {
    private final Directory directory;
    private final Mailboxes mailboxes;
    private final long defaultLimit;

    public StorageQuota(Directory directory, Mailboxes mailboxes, long defaultLimit) {
        if (defaultLimit <= 0) throw new IllegalArgumentException("default quota must be positive");
        this.directory = directory;
        this.mailboxes = mailboxes;
        this.defaultLimit = defaultLimit;
    }

    /** Octets used and allowed. */
    public record Status(long usage, long limit) {
        /** True when {@code more} octets would take the user past the limit. */
        public boolean exceededBy(long more) {
            return usage + more > limit;
        }

        public boolean full() {
            return usage >= limit;
        }
    }

    public long limit(EmailAddress user) {
        OptionalLong own = directory.quota(user);
        return own.isPresent() ? own.getAsLong() : defaultLimit;
    }

    public Status status(EmailAddress user) {
        return new Status(mailboxes.usage(user), limit(user));
    }

    /** True when the user has no room left: SMTP refuses mail for them at RCPT (452 4.2.2). */
    public boolean full(EmailAddress user) {
        return status(user).full();
    }
}
