package moat.store.sqlite;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import moat.store.Mailboxes.RowVisitor;

/**
 * The last flag scan ({@code uid, flags, modseq}) of recently scanned mailboxes, shared by all
 * sessions of the process, so a client that reconnects and syncs flags ({@code UID FETCH 1:*
 * (FLAGS)}) costs no row reads while nothing changed (docs/adr/0018).
 *
 * <p>Valid by construction, not by invalidation: an entry is used only when the mailbox row,
 * read in the same snapshot, still has the UIDVALIDITY, HIGHESTMODSEQ and message count the
 * rows were read with. Every change of a message row (APPEND, COPY/MOVE, STORE, EXPUNGE,
 * delivery, POP3 deletion) raises the mailbox's HIGHESTMODSEQ in the same transaction, and
 * neither a mailbox id nor a UIDVALIDITY is ever handed out twice ({@link Counters}), so an
 * equal key means equal rows. The key is checked in the same read transaction as the rows.
 *
 * <p>LIMITATION: bounded to {@link #MAX_ROWS} rows in all (about 24 bytes each, the flag
 * strings shared); the least recently used mailboxes are dropped first, and a mailbox larger
 * than the bound is not cached.
 */
final class FlagRowCache {
    static final int MAX_ROWS = 500_000;

    record Key(long uidValidity, long highestModseq, long messages) {}

    /** The rows of one scan, in UID order; the flag strings are shared among equal neighbours. */
    record Rows(Key key, long[] uids, String[] flags, long[] modseqs) {
        void replay(RowVisitor v) {
            for (int i = 0; i < uids.length; i++) v.row(uids[i], flags[i], modseqs[i], 0, 0);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Long, Rows> byMailbox = new LinkedHashMap<>(16, 0.75f, true);
    private long rows;

    /** The cached rows of the mailbox when they were read at {@code key}, else null. */
    Rows get(long mailboxId, Key key) {
        lock.lock();
        try {
            Rows r = byMailbox.get(mailboxId);
            return r != null && r.key().equals(key) ? r : null;
        } finally {
            lock.unlock();
        }
    }

    void put(long mailboxId, Rows r) {
        if (r.uids().length > MAX_ROWS) return;
        lock.lock();
        try {
            Rows old = byMailbox.put(mailboxId, r);
            rows += r.uids().length - (old == null ? 0 : old.uids().length);
            var it = byMailbox.entrySet().iterator();
            while (rows > MAX_ROWS && it.hasNext()) {
                Map.Entry<Long, Rows> eldest = it.next();
                if (eldest.getKey() == mailboxId) continue;
                rows -= eldest.getValue().uids().length;
                it.remove();
            }
        } finally {
            lock.unlock();
        }
    }
}
