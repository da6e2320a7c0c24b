package moat.store;

/**
 * One store back-end as the server sees it: the directory, the mail store and the users' own
 * lists are this object (so a caller hands it wherever one of those SPIs is asked for), and the
 * IMAP view, the outbound queue and the greylist state are reached through it. The embedded
 * {@code moat.store.sqlite.SqliteStore} implements it; a PostgreSQL store (cluster mode) will too.
 * Only the place that opens a back-end names its class.
 *
 * <p>Thread-safe. {@link #close} lets pending commits finish, then releases the data (files,
 * connections, locks); nothing may be used afterwards.
 */
public interface Store extends Directory, MailStore, UserLists, AutoCloseable {

    /** The IMAP view of the same mailboxes (RFC 9051 folders, flags, UIDs, change notification). */
    Mailboxes mailboxes();

    /** The outbound queue (delivery runner, {@code moat queue}); closed with the store. */
    OutboundQueue outboundQueue();

    /** Greylisting state, kept with the rest so that it survives restarts and is shared by nodes. */
    GreylistState greylist();

    @Override
    void close();
}
