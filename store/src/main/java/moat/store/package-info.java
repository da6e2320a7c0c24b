/**
 * The store SPI: {@link moat.store.Directory} (domains, users, aliases, quotas),
 * {@link moat.store.MailStore} (durable message bodies, delivery to mailboxes and the outbound
 * queue), {@link moat.store.Mailboxes} (the IMAP view: folders, UIDs, flags, modseq, change
 * notification), {@link moat.store.OutboundQueue} (the delivery runner's and {@code moat queue}'s
 * view), {@link moat.store.UserLists} (per-user allow and block lists) and
 * {@link moat.store.GreylistState} (greylisting state). {@link moat.store.Store} is one back-end
 * holding all of them: the server is written against it, and only the place that opens the store
 * names the embedded implementation ({@code moat.store.sqlite}); the PostgreSQL one will implement
 * the same interface. The contract tests every implementation passes are the abstract classes of
 * {@code moat.store.contract} in this module's tests.
 *
 * <p>Durability contract: {@code MailStore.commit} returns only after the body file, its
 * directory and the index transaction are on stable storage; many concurrent commits share one
 * round of fsyncs (group commit).
 */
package moat.store;
