/**
 * The store contract: what every implementation of the store SPI ({@link moat.store.Directory},
 * {@link moat.store.MailStore}, {@link moat.store.Mailboxes}, {@link moat.store.OutboundQueue},
 * {@link moat.store.UserLists}, {@link moat.store.GreylistState}, quotas) must do, as abstract JUnit
 * classes. A back-end runs them by extending each with a class that names its {@link
 * moat.store.contract.Backend} (the SQLite store: {@code moat.store.sqlite.Sqlite*Test}; the
 * PostgreSQL store of issue 16 does the same in its own module). Its own tests (file layout,
 * locking, recovery, group-commit rounds) stay beside it.
 *
 * <p>The assertions go through the SPI only. The few things the SPI cannot see are asked of the
 * back-end by name ({@link moat.store.contract.OpenStore#bodies}, {@link
 * moat.store.contract.OpenStore#hasBody}): that a body goes with the last row needing it is part
 * of the contract, how a body is kept is not.
 *
 * <p>Each back-end opens its stores with {@code store.max_alias_depth = 8} and may use cheap
 * password-hash parameters; every test starts from empty storage of its own.
 */
package moat.store.contract;
