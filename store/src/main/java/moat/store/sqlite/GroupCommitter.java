package moat.store.sqlite;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import moat.core.EmailAddress;
import moat.store.MailStore.Delivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit. A session thread first makes its own body file durable (fsync of the file, then
 * of its {@code messages/xx} directory so the new name survives power loss): many sessions do
 * that at the same time, and the file system merges their journal commits. It then enqueues a
 * request and waits; one committer thread takes every pending request (up to {@code maxBatch})
 * and inserts the index rows of the whole batch in one SQLite transaction
 * ({@code synchronous=FULL}: one WAL fsync) and only then wakes the waiters. The row is what
 * makes a body real, and it is written only after the body is on disk.
 *
 * <p>A request whose rows cannot be written (its recipient was removed meanwhile) is rolled back
 * to its savepoint and fails alone; a failed transaction commit fails the whole batch.
 */
final class GroupCommitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    private record Request(SqliteDraft draft, Delivery delivery, CompletableFuture<String> done) {}

    private static final Request STOP = new Request(null, null, null);

    private final Connection writer;
    private final int maxBatch;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    /** Orders enqueue against close, so that no request can slip in behind STOP and wait forever. */
    private final ReentrantLock enqueueLock = new ReentrantLock();
    private final AtomicLong rounds = new AtomicLong();
    private final Thread thread;
    private final ChangeNotifier notifier;
    private final SummaryFiller summaries;
    /** Mailboxes that got a message in the current batch: notified only after COMMIT. */
    private final java.util.Set<Long> touched = new java.util.HashSet<>();
    private boolean closed;

    GroupCommitter(Connection writer, int maxBatch, ChangeNotifier notifier, SummaryFiller summaries)
            throws SQLException {
        this.summaries = summaries;
        this.writer = writer;
        this.maxBatch = maxBatch;
        this.notifier = notifier;
        this.thread = Thread.ofPlatform().name("moat-store-committer").daemon().start(this::run);
    }

    /** Blocks until the batch carrying this draft is durable; returns the queue id. */
    String commit(SqliteDraft draft, Delivery delivery) throws IOException {
        // Body on stable storage before its row can exist (Bodies.commit), then the rows.
        return Bodies.commit(draft, () -> enqueueAndWait(draft, delivery));
    }

    private String enqueueAndWait(SqliteDraft draft, Delivery delivery) throws IOException {
        CompletableFuture<String> done = new CompletableFuture<>();
        enqueueLock.lock();
        try {
            if (closed) throw new IOException("store closed");
            queue.add(new Request(draft, delivery, done));
        } finally {
            enqueueLock.unlock();
        }
        // Wait without giving up on interrupt: the commit may already be on disk, and a caller
        // that believed otherwise would discard a body the index now points to.
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) throw io;
                    throw new IOException("commit failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Group-commit rounds run so far (each: fsyncs + one transaction). */
    long rounds() {
        return rounds.get();
    }

    private void run() {
        List<Request> batch = new ArrayList<>(maxBatch);
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, maxBatch - 1);
            stopping = batch.remove(STOP);
            if (!batch.isEmpty()) {
                try {
                    process(batch);
                } catch (RuntimeException e) { // never let the committer die with waiters parked
                    log.error("group commit failed unexpectedly", e);
                    for (Request r : batch) fail(r, new IOException("group commit failed: " + e, e));
                }
            }
            batch.clear();
        }
        Request r;
        while ((r = queue.poll()) != null) if (r != STOP) fail(r, new IOException("store closed"));
    }

    private void process(List<Request> batch) {
        rounds.incrementAndGet();
        List<Request> ready = batch;
        // One transaction for the batch, a savepoint per request.
        // Explicit SQL rather than JDBC autocommit switching: the driver would otherwise open the
        // next BEGIN IMMEDIATE right after COMMIT and hold the write lock between batches.
        List<Request> written = new ArrayList<>();
        touched.clear();
        try {
            exec("BEGIN IMMEDIATE");
            for (Request r : ready) {
                exec("SAVEPOINT one");
                try {
                    insert(r);
                    exec("RELEASE one");
                    written.add(r);
                } catch (SQLException | RecipientGone | RuntimeException e) {
                    exec("ROLLBACK TO one");
                    exec("RELEASE one");
                    fail(r, new IOException("commit of " + r.draft().id + " refused: " + e.getMessage(), e));
                }
            }
            exec("COMMIT");
        } catch (SQLException | RuntimeException e) {
            // Never leave the transaction open: the next batch's BEGIN would fail for ever.
            try {
                exec("ROLLBACK");
            } catch (SQLException again) {
                e.addSuppressed(again);
            }
            log.error("group commit of {} messages failed", ready.size(), e);
            // fail() is a no-op for requests already failed alone.
            for (Request r : ready) fail(r, new IOException("index commit failed: " + e.getMessage(), e));
            return;
        }
        for (Request r : written) r.done().complete(r.draft().id); // the waiter marks its draft committed
        touched.forEach(notifier::fire); // IMAP IDLE: after COMMIT, so the news is readable
        // IMAP summaries of delivered messages: queued for a background thread, off the 250 path
        for (Request r : written) if (!r.delivery().localUsers().isEmpty()) summaries.offer(r.draft().id, r.draft().path, r.draft().prefix());

    }

    private void exec(String sql) throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute(sql);
        }
    }

    private static final class RecipientGone extends Exception {
        RecipientGone(EmailAddress user) {
            super("no INBOX for " + user + " (user removed?)");
        }
    }

    private void insert(Request r) throws SQLException, RecipientGone {
        SqliteDraft d = r.draft();
        Delivery del = r.delivery();
        long received = del.received().toEpochMilli();
        long size = d.size();
        Bodies.insert(writer, d, size, received);
        Map<String, EmailAddress> users = new LinkedHashMap<>();
        del.localUsers().forEach(u -> users.putIfAbsent(u.key(), u));
        for (EmailAddress u : users.values()) {
            // The delivery's mailbox (Junk for quarantine), else INBOX if the user deleted it.
            MailboxRows.Slot slot = MailboxRows.deliverySlot(writer, u.key(), del.mailbox())
                    .orElseThrow(() -> new RecipientGone(u));
            MailboxRows.addMessage(writer, slot, d.id, size, received, "");
            touched.add(slot.mailbox());
        }
        SqliteOutboundQueue.insert(writer, d.id, del);
    }

    /** The waiter puts its draft back to OPEN (Bodies.commit) and may discard it. */
    private static void fail(Request r, IOException e) {
        r.done().completeExceptionally(e);
    }

    @Override
    public void close() {
        enqueueLock.lock();
        try {
            if (closed) return;
            closed = true;
            queue.add(STOP);
        } finally {
            enqueueLock.unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Connections.quietClose(writer);
    }
}
