package moat.store.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import moat.store.Mailboxes;
import moat.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Summarises newly stored bodies on one background thread, after their commit, so that the first
 * IMAP FETCH ENVELOPE or header SEARCH of a new message reads SQLite instead of parsing the file
 * (docs/adr/0017-summaries-at-arrival.md). The acceptance paths (group commit, APPEND) only
 * {@link #offer} the body: a non-blocking add to a bounded queue.
 *
 * <p>Best effort by design: a full queue drops the body, a parse or write failure skips the
 * batch, and a restart forgets what was queued; each such body is summarised on first use by the
 * reader, as before this class existed. Bodies are written in batches of up to {@link #BATCH}
 * rows per transaction, gathered for {@link #LINGER_MS} after the first one, so a stream of
 * deliveries costs a few extra commits per second, not one per message.
 *
 * <p>LIMITATION: bodies larger than {@link #MAX_BYTES} are left to on-demand filling (the parse
 * holds the whole message in memory, like the IMAP reader does).
 */
final class SummaryFiller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SummaryFiller.class);
    /** Pending bodies at most (about 200 bytes each); beyond it they are dropped, not waited for. */
    static final int MAX_PENDING = 20_000;
    static final int BATCH = 200;
    static final long LINGER_MS = 50;
    static final long MAX_BYTES = 32L * 1024 * 1024;

    /** A stored body: its file and the prefix kept in its row (docs/adr/0020), read in front of it. */
    private record Arrival(String bodyId, Path path, byte[] prefix) {}

    private static final Arrival STOP = new Arrival("", Path.of(""), new byte[0]);

    private final Connections db;
    private final BlockingQueue<Arrival> queue = new ArrayBlockingQueue<>(MAX_PENDING);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong filled = new AtomicLong();
    private volatile Mailboxes.Summarizer summarizer;
    private Thread thread;

    SummaryFiller(Connections db) {
        this.db = db;
    }

    /** Installs the summarizer and starts the thread on first call. */
    synchronized void start(Mailboxes.Summarizer s) {
        summarizer = s;
        if (thread == null) thread = Thread.ofPlatform().name("moat-summary-filler").daemon().start(this::run);
    }

    /** After COMMIT: queue a body for summarising; never blocks. A no-op until started. */
    void offer(String bodyId, Path path, byte[] prefix) {
        if (summarizer == null) return;
        if (!queue.offer(new Arrival(bodyId, path, prefix))) dropped.incrementAndGet();
    }

    /** Bodies summarised so far, and bodies dropped because the queue was full. */
    long filled() {
        return filled.get();
    }

    long dropped() {
        return dropped.get();
    }

    private void run() {
        List<Arrival> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                batch.add(queue.take());
                if (batch.getFirst() != STOP) {
                    // let a burst of deliveries gather into one transaction
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
                    while (batch.size() < BATCH && !batch.contains(STOP)) {
                        long left = until - System.nanoTime();
                        if (left <= 0) break;
                        Arrival a = queue.poll(left, TimeUnit.NANOSECONDS);
                        if (a == null) break;
                        batch.add(a);
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
            boolean stop = batch.remove(STOP);
            try {
                fill(batch);
            } catch (RuntimeException e) { // a cache: never let the thread die
                log.warn("summarising {} new messages failed; they are summarised on first use", batch.size(), e);
            }
            batch.clear();
            if (stop) return;
        }
    }

    private void fill(List<Arrival> batch) {
        Mailboxes.Summarizer s = summarizer;
        if (s == null) return; // closing
        List<String> ids = new ArrayList<>(batch.size());
        List<Mailboxes.Summary> sums = new ArrayList<>(batch.size());
        for (Arrival a : batch) {
            try {
                if (Files.size(a.path()) + a.prefix().length > MAX_BYTES) continue;
                byte[] raw;
                try (var in = StoredBody.open(a.path(), a.prefix())) {
                    raw = in.readAllBytes();
                }
                sums.add(s.summarize(raw));
                ids.add(a.bodyId());
            } catch (IOException e) {
                // expunged and deleted meanwhile: nothing to summarise
            }
        }
        if (ids.isEmpty()) return;
        try {
            db.write(c -> {
                MessageSummaries.saveArrivals(c, ids, sums);
                return null;
            });
            filled.addAndGet(ids.size());
        } catch (StoreException e) {
            log.warn("saving {} summaries failed; they are summarised on first use", ids.size(), e);
        }
    }

    /** Stops the thread; what is still queued is left to on-demand filling. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
            summarizer = null;
        }
        if (t == null) return;
        queue.clear();
        while (!queue.offer(STOP)) queue.clear();
        try {
            t.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
