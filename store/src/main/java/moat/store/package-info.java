/**
 * The store SPI: {@link moat.store.Directory} (domains, users, aliases) and
 * {@link moat.store.MailStore} (durable message bodies, mailboxes, outbound queue) and
 * {@link moat.store.Mailboxes} (the IMAP view: folders, UIDs, flags, modseq, change notification).
 *
 * <p>Durability contract: {@code MailStore.commit} returns only after the body file, its
 * directory and the index transaction are on stable storage; many concurrent commits share one
 * round of fsyncs (group commit).
 */
package moat.store;
