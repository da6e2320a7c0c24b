package moat.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import moat.store.Mailboxes.Mailbox;
import moat.store.Mailboxes.Message;
import moat.store.Mailboxes.RowVisitor;
import moat.store.Mailboxes.Snapshot;
import moat.store.Mailboxes.UidMap;
import moat.store.StoreException;

/**
 * What an IMAP session reads of a selected mailbox ({@link SqliteMailboxes} hands these calls
 * here): the snapshot, the UID map, the row scan with its cache of flag rows, the changes since a
 * modseq (RFC 7162), and message bodies. Reads only, on the pooled read-only connections; where
 * the counters and the rows must agree, one read transaction holds both.
 */
final class MailboxReads {
    // the counters are kept by triggers (schema step 6): reading them costs no scan
    static final String MAILBOX_COLUMNS = """
            m.id, m.name, m.uidvalidity, m.uidnext, m.highestmodseq, m.special_use, m.subscribed,
            m.n_messages, m.n_unseen, m.n_octets""";

    private final DataDir dir;
    private final Connections db;
    private final FlagRowCache flagRows = new FlagRowCache();

    MailboxReads(DataDir dir, Connections db) {
        this.dir = dir;
        this.db = db;
    }

    static Mailbox mailbox(ResultSet rs) throws SQLException {
        return new Mailbox(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                Optional.ofNullable(rs.getString(6)), rs.getLong(7) != 0, rs.getLong(8), rs.getLong(9), rs.getLong(10));
    }

    /** The mailbox row alone; its counters are 0 (the caller derives them). */
    private static Optional<Mailbox> mailboxRow(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT m.id, m.name, m.uidvalidity, m.uidnext, m.highestmodseq,"
                + " m.special_use, m.subscribed, 0, 0, 0 FROM mailboxes m WHERE m.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mailbox(rs)) : Optional.empty();
            }
        }
    }

    Optional<Snapshot> snapshot(long mailboxId) {
        return db.read(c -> {
            // One read transaction: the counters and the rows agree.
            Connections.exec(c, "BEGIN");
            try {
                Optional<Mailbox> row = mailboxRow(c, mailboxId);
                if (row.isEmpty()) return Optional.<Snapshot>empty();
                List<Message> msgs = messages(c, mailboxId, Optional.empty());
                // the counters from the rows just read: no second pass over the mailbox
                long unseen = 0;
                long size = 0;
                for (Message m : msgs) {
                    if (!m.flags().contains("\\Seen")) unseen++;
                    size += m.size();
                }
                Mailbox mb = row.get();
                return Optional.of(new Snapshot(new Mailbox(mb.id(), mb.name(), mb.uidValidity(), mb.uidNext(),
                        mb.highestModseq(), mb.specialUse(), mb.subscribed(), msgs.size(), unseen, size), msgs));
            } finally {
                Connections.exec(c, "COMMIT");
            }
        });
    }

    Optional<UidMap> uidMap(long mailboxId) {
        return db.read(c -> {
            // the common case, a mailbox without gaps: one statement (one snapshot) reads the
            // counters and both edge UIDs, no transaction statements around it
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MAILBOX_COLUMNS
                    + ", (SELECT uid FROM messages WHERE mailbox_id = m.id ORDER BY uid ASC LIMIT 1)"
                    + ", (SELECT uid FROM messages WHERE mailbox_id = m.id ORDER BY uid DESC LIMIT 1)"
                    + " FROM mailboxes m WHERE m.id = ?")) {
                ps.setLong(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.<UidMap>empty();
                    Mailbox mb = mailbox(rs);
                    long n = mb.messages();
                    long lo = rs.getLong(11);
                    long hi = rs.getLong(12);
                    if (n == 0) return Optional.of(new UidMap(mb, new long[0]));
                    if (hi - lo + 1 == n && lo > 0) {
                        long[] uids = new long[(int) n];
                        for (int i = 0; i < uids.length; i++) uids[i] = lo + i;
                        return Optional.of(new UidMap(mb, uids));
                    }
                }
            }
            return uidMapWithGaps(c, mailboxId);
        });
    }

    /** {@link #uidMap} when the UIDs have gaps: the counters and the UID column in one read transaction. */
    private static Optional<UidMap> uidMapWithGaps(Connection c, long mailboxId) throws SQLException {
        // one read transaction: the counters and the UIDs agree
        Connections.exec(c, "BEGIN");
        try {
            Optional<Mailbox> mb = find(c, mailboxId);
            if (mb.isEmpty()) return Optional.empty();
            long n = mb.get().messages();
            if (n == 0) return Optional.of(new UidMap(mb.get(), new long[0]));
            // gaps (expunged messages): one pass over the primary-key index, which covers uid
            long[] uids = new long[(int) n];
            int i = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid")) {
                ps.setLong(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && i < uids.length) uids[i++] = rs.getLong(1);
                }
            }
            if (i != uids.length) uids = Arrays.copyOf(uids, i); // a counter out of step: trust the rows
            return Optional.of(new UidMap(mb.get(), uids));
        } finally {
            Connections.exec(c, "COMMIT");
        }
    }

    Optional<Mailbox> scan(long mailboxId, boolean sizeAndDate, RowVisitor visitor) {
        return db.read(c -> {
            Connections.exec(c, "BEGIN");
            try {
                Optional<Mailbox> mb = find(c, mailboxId);
                if (mb.isEmpty()) return mb;
                // flags alone: the rows of the last scan when the mailbox has not changed since
                var key = new FlagRowCache.Key(mb.get().uidValidity(), mb.get().highestModseq(), mb.get().messages());
                if (!sizeAndDate) {
                    FlagRowCache.Rows cached = flagRows.get(mailboxId, key);
                    if (cached != null) {
                        cached.replay(visitor);
                        return mb;
                    }
                }
                long count = mb.get().messages();
                int cap = count > 0 && count <= FlagRowCache.MAX_ROWS ? (int) count : 0; // 0: not kept
                long[] uids = new long[cap];
                String[] flags = new String[cap];
                long[] modseqs = new long[cap];
                int n = 0;
                // both forms run from the covering index messages_view (schema step 11)
                try (PreparedStatement ps = c.prepareStatement("SELECT uid, flags, modseq"
                        + (sizeAndDate ? ", size, internaldate" : "") + " FROM messages WHERE mailbox_id = ? ORDER BY uid")) {
                    ps.setLong(1, mailboxId);
                    try (ResultSet rs = ps.executeQuery()) {
                        // the flags as octets, and one String per run of equal ones: getString costs
                        // about twice getBytes in the driver, and neighbours mostly share their flags
                        byte[] lastRaw = null;
                        String last = "";
                        while (rs.next()) {
                            byte[] raw = rs.getBytes(2);
                            if (raw == null) raw = new byte[0];
                            if (!Arrays.equals(raw, lastRaw)) {
                                last = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
                                lastRaw = raw;
                            }
                            long uid = rs.getLong(1);
                            long modseq = rs.getLong(3);
                            if (sizeAndDate) visitor.row(uid, last, modseq, rs.getLong(4), rs.getLong(5));
                            else visitor.row(uid, last, modseq, 0, 0);
                            if (n < cap) {
                                uids[n] = uid;
                                flags[n] = last;
                                modseqs[n] = modseq;
                            }
                            n++;
                        }
                    }
                }
                // kept only when the rows agree with the counter they are keyed by
                if (cap > 0 && n == cap && n == count)
                    flagRows.put(mailboxId, new FlagRowCache.Rows(key, uids, flags, modseqs));
                return mb;
            } finally {
                Connections.exec(c, "COMMIT");
            }
        });
    }

    Optional<Snapshot> changesSince(long mailboxId, long modseq) {
        return db.read(c -> {
            Connections.exec(c, "BEGIN");
            try {
                Optional<Mailbox> mb = find(c, mailboxId);
                if (mb.isEmpty()) return Optional.<Snapshot>empty();
                List<Message> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT uid, flags, modseq, size, internaldate FROM messages"
                        + " WHERE mailbox_id = ? AND modseq > ? ORDER BY uid")) {
                    ps.setLong(1, mailboxId);
                    ps.setLong(2, modseq);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.add(new Message(rs.getLong(1), parseFlags(rs.getString(2)), rs.getLong(3),
                                rs.getLong(4), Instant.ofEpochMilli(rs.getLong(5))));
                    }
                }
                return Optional.of(new Snapshot(mb.get(), out));
            } finally {
                Connections.exec(c, "COMMIT");
            }
        });
    }

    static Optional<Mailbox> find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MAILBOX_COLUMNS + " FROM mailboxes m WHERE m.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mailbox(rs)) : Optional.empty();
            }
        }
    }

    static List<Message> messages(Connection c, long mailboxId, Optional<Set<Long>> only) throws SQLException {
        List<Message> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT uid, flags, modseq, size, internaldate FROM messages WHERE mailbox_id = ? ORDER BY uid")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long uid = rs.getLong(1);
                    if (only.isPresent() && !only.get().contains(uid)) continue;
                    out.add(new Message(uid, parseFlags(rs.getString(2)), rs.getLong(3), rs.getLong(4),
                            Instant.ofEpochMilli(rs.getLong(5))));
                }
            }
        }
        return out;
    }

    static Set<String> parseFlags(String s) {
        return s.isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(s.split(" ")));
    }

    OptionalLong highestModseq(long mailboxId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT highestmodseq FROM mailboxes WHERE id = ?")) {
                ps.setLong(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    InputStream open(long mailboxId, long uid) throws IOException {
        // The path comes from the index, never from a client's string: no traversal.
        Optional<StoredBody> body;
        try {
            body = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT b.path, b.prefix FROM messages g JOIN bodies b"
                        + " ON b.id = g.body_id WHERE g.mailbox_id = ? AND g.uid = ?")) {
                    ps.setLong(1, mailboxId);
                    ps.setLong(2, uid);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(StoredBody.of(rs)) : Optional.<StoredBody>empty();
                    }
                }
            });
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (body.isEmpty()) throw new IOException("no message " + uid);
        return body.get().open(dir);
    }
}
