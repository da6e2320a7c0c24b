package moat.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import moat.store.StoreException;
import org.sqlite.SQLiteConfig;

/**
 * The SQLite connections of one store. A JDBC connection to SQLite must not be used by two
 * threads at once, so: the group committer owns one write connection; Directory mutations share
 * one admin connection under a lock ({@link ReentrantLock}, not {@code synchronized}, so virtual
 * threads do not pin); look-ups borrow a read-only connection from a small pool. In WAL mode
 * readers never block the writer nor the writer the readers; the two writers serialise on the
 * database lock, waited for with {@code busy_timeout}.
 */
final class Connections implements AutoCloseable {
    static final int BUSY_TIMEOUT_MS = 10_000;
    private static final int MAX_IDLE_READERS = 8;

    private final String url;
    private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(MAX_IDLE_READERS);
    private final ReentrantLock adminLock = new ReentrantLock();
    private final Connection admin;
    private volatile boolean closed;

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    Connections(Path db) throws SQLException {
        this.url = "jdbc:sqlite:" + db.toAbsolutePath();
        this.admin = openWriter();
    }

    /**
     * A writing connection: WAL (readers do not block the writer), synchronous=FULL (a commit
     * is on stable storage when it returns, which "250" promises), foreign keys on, and
     * BEGIN IMMEDIATE so a transaction takes the write lock up front instead of failing with
     * SQLITE_BUSY when it upgrades half-way.
     */
    Connection openWriter() throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        cfg.enforceForeignKeys(true);
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        return cfg.createConnection(url);
    }

    private Connection openReader() throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        cfg.enforceForeignKeys(true);
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        return cfg.createConnection(url);
    }

    /** Runs a read on a pooled read-only connection (autocommit: each statement sees a snapshot). */
    <T> T read(Work<T> work) {
        if (closed) throw new StoreException("store closed");
        Connection c = idle.poll();
        try {
            if (c == null) c = openReader();
            T result = work.run(c);
            if (closed || !idle.offer(c)) c.close();
            c = null;
            return result;
        } catch (SQLException e) {
            throw new StoreException("index read failed: " + e.getMessage(), e);
        } finally {
            if (c != null) quietClose(c); // a connection that threw is not reused
        }
    }

    /** Runs one IMMEDIATE transaction on the admin connection; rolls back on any exception. */
    <T> T write(Work<T> work) {
        if (closed) throw new StoreException("store closed");
        adminLock.lock();
        try {
            exec(admin, "BEGIN IMMEDIATE");
            try {
                T result = work.run(admin);
                exec(admin, "COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    exec(admin, "ROLLBACK");
                } catch (SQLException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("index write failed: " + e.getMessage(), e);
        } finally {
            adminLock.unlock();
        }
    }

    /**
     * Explicit transaction statements on a connection left in JDBC autocommit mode: the driver's
     * own {@code setAutoCommit(false)} re-opens a BEGIN right after each COMMIT, which with
     * IMMEDIATE would hold the write lock between transactions.
     */
    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.poll()) != null) quietClose(c);
        adminLock.lock();
        try {
            quietClose(admin);
        } finally {
            adminLock.unlock();
        }
    }

    static void quietClose(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing after a failure: the first error is the one that matters
        }
    }
}
