/**
 * The embedded store: {@link moat.store.sqlite.SqliteStore} implements {@link moat.store.Store}
 * (the Directory, the MailStore, the user lists, the outbound queue and the greylist) on one data
 * directory; only the server's composition root opens it by name. {@code mailboxes()} gives the
 * IMAP {@link moat.store.Mailboxes} view of the same index ({@code SqliteMailboxes}), whose
 * changes and the committer's deliveries fire the in-process {@code ChangeNotifier} after COMMIT.
 *
 * <pre>
 * dataDir/index.db          SQLite, journal_mode=WAL, synchronous=FULL, foreign_keys=ON
 * dataDir/messages/xx/&lt;id&gt;  immutable body files, xx = 00..ff from the id's random bits; the
 *                           header fields written at end of DATA (Received, Authentication-Results,
 *                           DKIM-Signature) are in bodies.prefix, read in front of the file (ADR 0020)
 * dataDir/store.lock        exclusive lock: one store per data directory
 * </pre>
 *
 * <p>Durability (the "250" promise): a body is written straight into its final path; the session
 * thread fsyncs the file, then its directory, then the group committer commits the index rows of
 * many messages in one transaction ({@code Bodies.commit}, the same routine for IMAP APPEND).
 * A row therefore never points at a missing file; a file without a row is an orphan from a crash
 * before "250", deleted by recovery at open. Concurrent commits share one round of fsyncs.
 *
 * <p>Why {@code PRAGMA user_version} and numbered SQL instead of Flyway: the embedded store has
 * one database, one writer process (the data directory is locked) and a handful of steps that
 * are plain SQL. The SQLite header already holds a transactional version integer, so migrating
 * is a loop of "BEGIN; step; user_version = n; COMMIT" with no history table, no classpath
 * scanning and no extra dependency on the start-up path; a database newer than the code is
 * refused. The PostgreSQL store (cluster mode, several nodes racing to migrate) is where
 * Flyway's locking and history earn their keep.
 *
 * <p>After COMMIT, newly stored bodies are offered to the {@code SummaryFiller}, one background
 * thread that writes their IMAP summaries ({@code body_summaries}, {@code body_search}) with the
 * summarizer the IMAP side installed; bounded and best effort (docs/adr/0017).
 *
 * <p>Concurrency: SQLite connections are not thread-safe. The committer thread owns the write
 * connection; Directory mutations use one admin connection under a lock; look-ups use a small
 * pool of read-only connections (WAL: readers do not block the writer). Locks are
 * {@link java.util.concurrent.locks.ReentrantLock}, never {@code synchronized}, for virtual threads.
 *
 * <p>Security: files and directories are created owner-only (0600/0700). Body paths are read from
 * the index, never built from caller input. Unknown users are verified against a dummy Argon2id
 * hash so login timing does not reveal who exists. Alias expansion is depth-bounded
 * ({@code store.max_alias_depth}) and cycle-safe.
 *
 * <p>One writer per table, so each rule about a table lives in one class: {@code SqliteDirectory}
 * (domains, users, aliases), {@code MailboxRows} (mailboxes, messages), {@code Bodies} (bodies,
 * and the body files), {@code SqliteOutboundQueue} (outbound), {@code MessageSummaries}
 * (body_summaries, body_search), {@code Counters}, {@code SqliteUserLists}, {@code SqliteGreylist};
 * others call them inside their own transaction. {@code Sql} holds the JDBC shapes they share;
 * {@code Schema} alone creates and migrates tables.
 *
 * <p>Freeing: a body's row and file go when the last message row (EXPUNGE, POP3 DELE, mailbox
 * DELETE) and the last outbound row (delivered, failed for good, deleted by an
 * admin) referring to it have gone; the row in the same transaction, the file right after COMMIT.
 *
 * <p>LIMITATION: {@code removeUser} drops the user's mailboxes and message rows (cascade) but
 * not their bodies: rows and files stay until a body collector exists. LIMITATION: directory
 * fsync relies on Linux semantics (fsync on a directory descriptor). LIMITATION: flags are stored
 * as a space-separated text column.
 */
package moat.store.sqlite;
