/**
 * The store SPI: {@link moat.store.Directory} (domains, users, aliases) and
 * {@link moat.store.MailStore} (durable message bodies, mailboxes, outbound queue).
 *
 * <p>Durability contract: {@code MailStore.commit} returns only after the body file, its
 * directory and the index transaction are on stable storage; many concurrent commits share one
 * round of fsyncs (group commit).
 */
package moat.store;
