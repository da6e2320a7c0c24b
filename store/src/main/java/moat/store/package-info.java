/**
 * The store SPI: {@link moat.store.Directory} (domains, users, aliases) and
 * {@link moat.store.MailStore} (durable message bodies, mailboxes, outbound queue) and
 * {@link moat.store.Mailboxes} (the IMAP view: folders, UIDs, flags, modseq, change notification),
 * with {@link moat.store.UserLists}, {@link moat.store.OutboundQueue} and
 * {@link moat.store.GreylistState}. {@link moat.store.Store} is one back-end holding all of them: the
 * server is written against it, and only the place that opens the store names the embedded
 * implementation ({@code moat.store.sqlite}); the PostgreSQL one will implement the same interface.
 *
 * <p>Durability contract: {@code MailStore.commit} returns only after the body file, its
 * directory and the index transaction are on stable storage; many concurrent commits share one
 * round of fsyncs (group commit).
 */
package moat.store;
