package moat.store.sqlite;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Values that must never repeat, even after every row that used them is gone (schema step 13,
 * table {@code counters}). Deriving them from {@code max(...)} over the live rows repeats a value
 * once its row is deleted: a mailbox deleted and re-created within one second got the same
 * UIDVALIDITY (RFC 9051 section 2.3.1.1 forbids it: a client would keep its cache of the old
 * mailbox) and, being the newest row, the same id. Called inside the caller's write transaction.
 */
final class Counters {
    private Counters() {}

    /** Above every UIDVALIDITY ever handed out, and at least the clock's seconds (RFC 9051 section 2.3.1.1). */
    static long nextUidValidity(Connection c, long nowSeconds) throws SQLException {
        long next = Math.max(nowSeconds, last(c, "uidvalidity") + 1);
        set(c, "uidvalidity", next);
        return next;
    }

    /** A mailbox id never used before, so nothing keyed by an old id can meet a new mailbox. */
    static long nextMailboxId(Connection c) throws SQLException {
        long next = Math.max(last(c, "mailbox_id"), Sql.count(c, "SELECT coalesce(max(id), 0) FROM mailboxes")) + 1;
        set(c, "mailbox_id", next);
        return next;
    }

    private static long last(Connection c, String name) throws SQLException {
        return Sql.count(c, "SELECT value FROM counters WHERE name = ?", name);
    }

    private static void set(Connection c, String name, long value) throws SQLException {
        Sql.update(c, "INSERT INTO counters(name, value) VALUES (?, ?)"
                + " ON CONFLICT(name) DO UPDATE SET value = excluded.value", name, value);
    }
}
