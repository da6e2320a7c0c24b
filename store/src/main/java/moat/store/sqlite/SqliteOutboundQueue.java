package moat.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.store.MailStore;
import moat.store.OutboundQueue;
import moat.store.StoreException;

/**
 * {@link OutboundQueue} on the {@code outbound} table, and the only writer of that table: the
 * group committer adds a delivery's rows through {@link #insert} inside its own transaction. The
 * other writes go through the store's admin connection ({@link Connections#write}: one IMMEDIATE
 * transaction each), so a claim is atomic against the group committer and against another
 * claimer. A body is freed ({@link Bodies#dropUnreferenced}) with the last row that needs it.
 *
 * <p>Opened by {@link SqliteStore#outboundQueue()} inside the server, or by {@link #openAdmin} for
 * the {@code moat queue} command while the server runs (no data-directory lock, like
 * {@link AdminDirectory}: SQLite's own locking orders the two processes' writes).
 */
public final class SqliteOutboundQueue implements OutboundQueue, AutoCloseable {
    private static final String COLUMNS = "queue_id, body_id, sender, recipient, state, attempts, next_attempt, queued,"
            + " auth_user, warned, last_reply, lease_until, forwarded_by";

    private final Connections db;
    private final Path messages;
    private final boolean ownsDb;

    SqliteOutboundQueue(Connections db, Path messages, boolean ownsDb) {
        this.db = db;
        this.messages = messages;
        this.ownsDb = ownsDb;
    }

    /** For the CLI: the queue of a data directory, whether or not the server runs on it. */
    public static SqliteOutboundQueue openAdmin(Path dataDir) throws IOException {
        Path index = dataDir.resolve("index.db");
        if (!Files.exists(index)) throw new IOException("no Moat data directory at " + dataDir + " (no index.db)");
        try {
            Connections db = new Connections(index);
            try (Connection w = db.openWriter()) {
                Schema.migrate(w);
            } catch (SQLException | RuntimeException e) {
                db.close();
                throw e;
            }
            return new SqliteOutboundQueue(db, dataDir.resolve("messages"), true);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + index + ": " + e.getMessage(), e);
        }
    }

    /**
     * The rows of a delivery's remote recipients, written by the group committer inside its
     * transaction ({@code HELD} for a quarantined message); the queue id is the body id.
     */
    static void insert(Connection c, String bodyId, MailStore.Delivery del) throws SQLException {
        long received = del.received().toEpochMilli();
        String sender = del.sender().map(EmailAddress::toString).orElse("");
        // Remote duplicates by exact address: a remote local part may be case-sensitive (RFC 5321 section 2.4).
        for (EmailAddress a : new java.util.LinkedHashSet<>(del.remote())) {
            Sql.update(c, "INSERT INTO outbound(queue_id, body_id, sender, recipient, next_attempt, queued,"
                    + " auth_user, forwarded_by, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", bodyId, bodyId, sender,
                    a.toString(), received, received, del.authUser().map(EmailAddress::toString).orElse(""),
                    Optional.ofNullable(del.forwardedBy().get(a)).map(EmailAddress::toString).orElse(""),
                    del.holdRemote() ? "held" : "queued");
        }
    }

    @Override
    public List<Entry> claim(Instant now, Duration lease, int max) throws IOException {
        if (max <= 0) return List.of();
        long t = now.toEpochMilli();
        return io(() -> db.write(c -> {
            // rowid sub-select instead of UPDATE ... LIMIT (needs a compile option SQLite builds lack).
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbound SET state = 'sending', lease_until = ?"
                    + " WHERE rowid IN (SELECT rowid FROM outbound WHERE (state = 'queued' AND next_attempt <= ?)"
                    + " OR (state = 'sending' AND lease_until <= ?) ORDER BY next_attempt, queued LIMIT ?)"
                    + " RETURNING " + COLUMNS)) {
                ps.setLong(1, t + lease.toMillis());
                ps.setLong(2, t);
                ps.setLong(3, t);
                ps.setInt(4, max);
                return entries(ps);
            }
        }));
    }

    @Override
    public int requeueAbandoned(Instant now) throws IOException {
        return io(() -> db.write(c -> Sql.update(c,
                "UPDATE outbound SET state = 'queued', lease_until = 0, next_attempt = min(next_attempt, ?)"
                        + " WHERE state = 'sending'", now.toEpochMilli())));
    }

    /**
     * Removals are group-committed: concurrent deliveries hand their row to one thread that
     * deletes every pending row in one transaction (one WAL fsync for many messages, as the
     * inbound {@link GroupCommitter} does), then wakes the callers. Measured with
     * bench/outbound-vs-postfix.sh: one transaction per removal made the fsync the bottleneck.
     */
    @Override
    public void remove(String queueId, EmailAddress recipient) throws IOException {
        Removal r = new Removal(queueId, recipient.toString(), new java.util.concurrent.CompletableFuture<>());
        remover().add(r);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    r.done().get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the removal may already be committed: wait for the answer
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) throw io;
                    throw new IOException("queue removal failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private record Removal(String queueId, String recipient, java.util.concurrent.CompletableFuture<Void> done) {}

    private final java.util.concurrent.LinkedBlockingQueue<Removal> removals = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.locks.ReentrantLock removerLock = new java.util.concurrent.locks.ReentrantLock();
    private Thread remover;
    private volatile boolean closed;

    private java.util.concurrent.BlockingQueue<Removal> remover() throws IOException {
        removerLock.lock();
        try {
            if (closed) throw new IOException("queue closed");
            if (remover == null) remover = Thread.ofPlatform().daemon().name("moat-queue-remover").start(this::removeLoop);
            return removals;
        } finally {
            removerLock.unlock();
        }
    }

    private static final int MAX_REMOVAL_BATCH = 256;

    private void removeLoop() {
        List<Removal> batch = new ArrayList<>();
        while (!closed || !removals.isEmpty()) {
            try {
                Removal first = removals.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
            } catch (InterruptedException e) {
                break;
            }
            removals.drainTo(batch, MAX_REMOVAL_BATCH - 1);
            try {
                List<String> freed = io(() -> db.write(c -> {
                    java.util.Set<String> bodies = new java.util.LinkedHashSet<>();
                    try (PreparedStatement ps = c.prepareStatement(
                            "DELETE FROM outbound WHERE queue_id = ? AND recipient = ? RETURNING body_id")) {
                        for (Removal r : batch) {
                            ps.setString(1, r.queueId());
                            ps.setString(2, r.recipient());
                            try (ResultSet rs = ps.executeQuery()) {
                                while (rs.next()) bodies.add(rs.getString(1));
                            }
                        }
                    }
                    return Bodies.dropUnreferenced(c, bodies);
                }));
                Bodies.deleteFiles(messages, freed);
                for (Removal r : batch) r.done().complete(null);
            } catch (IOException | RuntimeException e) {
                for (Removal r : batch) r.done().completeExceptionally(e);
            }
            batch.clear();
        }
        Removal r;
        while ((r = removals.poll()) != null) r.done().completeExceptionally(new IOException("queue closed"));
    }

    @Override
    public void defer(String queueId, EmailAddress recipient, Instant next, String lastReply) throws IOException {
        io(() -> db.write(c -> Sql.update(c, "UPDATE outbound SET state = CASE state WHEN 'held' THEN"
                + " 'held' ELSE 'queued' END, lease_until = 0, attempts = attempts + 1, next_attempt = ?, last_reply = ?"
                + " WHERE queue_id = ? AND recipient = ?", next.toEpochMilli(), lastReply, queueId, recipient.toString())));
    }

    @Override
    public void postpone(String queueId, EmailAddress recipient, Instant until, String note) throws IOException {
        io(() -> db.write(c -> Sql.update(c, "UPDATE outbound SET state = CASE state WHEN 'held' THEN"
                + " 'held' ELSE 'queued' END, lease_until = 0, next_attempt = ?, last_reply = ?"
                + " WHERE queue_id = ? AND recipient = ?", until.toEpochMilli(), note, queueId, recipient.toString())));
    }

    @Override
    public void markWarned(String queueId, EmailAddress recipient) throws IOException {
        io(() -> db.write(c -> Sql.update(c, "UPDATE outbound SET warned = 1 WHERE queue_id = ? AND recipient = ?",
                queueId, recipient.toString())));
    }

    @Override
    public List<Entry> list() throws IOException {
        return io(() -> db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM outbound ORDER BY queued, queue_id, recipient")) {
                return entries(ps);
            }
        }));
    }

    @Override
    public Optional<Instant> nextDue() throws IOException {
        return io(() -> db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT min(next_attempt) FROM outbound WHERE state = 'queued'");
                 ResultSet rs = ps.executeQuery()) {
                long v = rs.next() ? rs.getLong(1) : 0;
                return rs.wasNull() || v == 0 ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(v));
            }
        }));
    }

    @Override
    public InputStream openBody(String bodyId) throws IOException {
        StoredBody b = body(bodyId);
        return StoredBody.open(messages.resolve(b.path()), b.prefix());
    }

    @Override
    public long bodySize(String bodyId) throws IOException {
        StoredBody b = body(bodyId);
        return b.prefix().length + Files.size(messages.resolve(b.path()));
    }

    /** The path comes from the index, never from the caller's string: no traversal. */
    private StoredBody body(String bodyId) throws IOException {
        Optional<StoredBody> b = io(() -> db.read(c -> StoredBody.byId(c, bodyId)));
        return b.orElseThrow(() -> new IOException("no body " + bodyId));
    }

    @Override
    public int hold(String queueId) throws IOException {
        return io(() -> db.write(c -> Sql.update(c,
                "UPDATE outbound SET state = 'held' WHERE queue_id = ? AND state = 'queued'", queueId)));
    }

    @Override
    public int release(String queueId, Instant now) throws IOException {
        return io(() -> db.write(c -> Sql.update(c,
                "UPDATE outbound SET state = 'queued', next_attempt = ? WHERE queue_id = ? AND state = 'held'",
                now.toEpochMilli(), queueId)));
    }

    @Override
    public int retryNow(String queueId, Instant now) throws IOException {
        return io(() -> db.write(c -> Sql.update(c,
                "UPDATE outbound SET next_attempt = ? WHERE queue_id = ? AND state = 'queued'", now.toEpochMilli(), queueId)));
    }

    @Override
    public int delete(String queueId) throws IOException {
        int[] removed = new int[1];
        List<String> freed = io(() -> db.write(c -> {
            removed[0] = Sql.update(c, "DELETE FROM outbound WHERE queue_id = ? AND state <> 'sending'", queueId);
            // A message's rows share one body, named like the queue id.
            return removed[0] == 0 ? List.<String>of() : Bodies.dropUnreferenced(c, List.of(queueId));
        }));
        Bodies.deleteFiles(messages, freed);
        return removed[0];
    }

    private static List<Entry> entries(PreparedStatement ps) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String sender = rs.getString(3);
                String auth = rs.getString(9);
                out.add(new Entry(rs.getString(1), rs.getString(2),
                        sender.isEmpty() ? Optional.empty() : EmailAddress.parse(sender),
                        EmailAddress.of(rs.getString(4)), State.of(rs.getString(5)), rs.getInt(6),
                        Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(rs.getLong(8)),
                        auth.isEmpty() ? Optional.empty() : EmailAddress.parse(auth), rs.getInt(10) != 0,
                        rs.getString(11), Instant.ofEpochMilli(rs.getLong(12)),
                        rs.getString(13).isEmpty() ? Optional.empty() : EmailAddress.parse(rs.getString(13))));
            }
        }
        return out;
    }

    /** Stops the removal thread (pending removals finish first); closes the index if this instance opened it. */
    @Override
    public void close() {
        Thread t;
        removerLock.lock();
        try {
            closed = true;
            t = remover;
        } finally {
            removerLock.unlock();
        }
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownsDb) db.close();
    }

    private interface Work<T> {
        T get();
    }

    private static <T> T io(Work<T> w) throws IOException {
        try {
            return w.get();
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
