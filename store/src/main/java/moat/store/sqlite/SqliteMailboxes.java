package moat.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import moat.core.EmailAddress;
import moat.store.MailStore;
import moat.store.Mailboxes;
import moat.store.StoreException;

/**
 * {@link Mailboxes} on the SQLite index. Reads use the pooled read-only connections; changes
 * run as one IMMEDIATE transaction each on the admin connection and fire the
 * {@link ChangeNotifier} after COMMIT. APPEND writes its body file through a
 * {@link SqliteDraft} and fsyncs file and directory before the row is committed, the same
 * order as the group committer (a body without its row is an orphan recovery deletes).
 *
 * <p>A body file is shared by every copy of a message (COPY adds rows, not files); when the
 * last row referencing it goes (EXPUNGE, DELETE) and no queued delivery needs it, its
 * {@code bodies} row goes in the same transaction and the file right after COMMIT.
 */
final class SqliteMailboxes implements Mailboxes {
    // the counters are kept by triggers (schema step 6): reading them costs no scan
    private static final String MAILBOX_COLUMNS = """
            m.id, m.name, m.uidvalidity, m.uidnext, m.highestmodseq, m.special_use, m.subscribed,
            m.n_messages, m.n_unseen, m.n_octets""";

    private final DataDir dir;
    private final Connections db;
    private final SqliteMailStore mail;
    private final ChangeNotifier notifier;
    private final Clock clock;
    private final SummaryFiller summaries;
    private final FlagRowCache flagRows = new FlagRowCache();

    SqliteMailboxes(DataDir dir, Connections db, SqliteMailStore mail, ChangeNotifier notifier, Clock clock,
                    SummaryFiller summaries) {
        this.summaries = summaries;
        this.dir = dir;
        this.db = db;
        this.mail = mail;
        this.notifier = notifier;
        this.clock = clock;
    }

    /** INBOX is case-insensitive (RFC 9051 section 5.1). */
    static String canonical(String name) {
        if (name.equalsIgnoreCase(INBOX)) return INBOX;
        if (name.length() > 5 && name.substring(0, 6).equalsIgnoreCase(INBOX + DELIMITER))
            return INBOX + name.substring(5);
        return name;
    }

    private static Mailbox mailbox(ResultSet rs) throws SQLException {
        return new Mailbox(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                Optional.ofNullable(rs.getString(6)), rs.getLong(7) != 0, rs.getLong(8), rs.getLong(9), rs.getLong(10));
    }

    @Override
    public List<Mailbox> list(EmailAddress user) {
        return db.read(c -> {
            List<Mailbox> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MAILBOX_COLUMNS
                    + " FROM mailboxes m JOIN users u ON u.id = m.user_id WHERE u.address_key = ? ORDER BY m.name")) {
                ps.setString(1, user.key());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(mailbox(rs));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<Mailbox> find(EmailAddress user, String name) {
        return db.read(c -> find(c, user, canonical(name)));
    }

    private static Optional<Mailbox> find(Connection c, EmailAddress user, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MAILBOX_COLUMNS
                + " FROM mailboxes m JOIN users u ON u.id = m.user_id WHERE u.address_key = ? AND m.name = ?")) {
            ps.setString(1, user.key());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mailbox(rs)) : Optional.empty();
            }
        }
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

    @Override
    public Outcome create(EmailAddress user, String name) {
        String n = canonical(name);
        return db.write(c -> {
            long userId = SqliteDirectory.count(c, "SELECT id FROM users WHERE address_key = ?", user.key());
            if (userId == 0) return new Outcome.NotFound();
            if (find(c, user, n).isPresent()) return new Outcome.AlreadyExists();
            // RFC 9051 section 2.3.1.1: a reused name must get a new UIDVALIDITY.
            long uidValidity = Counters.nextUidValidity(c, clock.millis() / 1000);
            SqliteDirectory.update(c, "INSERT INTO mailboxes(id, user_id, name, uidvalidity) VALUES (?, ?, ?, ?)",
                    Counters.nextMailboxId(c), userId, n, uidValidity);
            return new Outcome.Done();
        });
    }

    @Override
    public Outcome delete(EmailAddress user, String name) {
        String n = canonical(name);
        if (n.equals(INBOX)) return new Outcome.Refused("INBOX cannot be deleted");
        long[] id = {0};
        List<String> files = new ArrayList<>();
        Outcome o = db.write(c -> {
            Optional<Mailbox> mb = find(c, user, n);
            if (mb.isEmpty()) return new Outcome.NotFound();
            if (SqliteDirectory.count(c, "SELECT count(*) FROM mailboxes WHERE user_id = (SELECT user_id FROM mailboxes"
                    + " WHERE id = ?) AND substr(name, 1, ?) = ?", mb.get().id(), n.length() + 1, n + DELIMITER) > 0)
                return new Outcome.Refused("Mailbox has children; delete them first");
            Set<String> bodies = new java.util.HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT body_id FROM messages WHERE mailbox_id = ?")) {
                ps.setLong(1, mb.get().id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) bodies.add(rs.getString(1));
                }
            }
            SqliteDirectory.update(c, "DELETE FROM messages WHERE mailbox_id = ?", mb.get().id());
            SqliteDirectory.update(c, "DELETE FROM mailboxes WHERE id = ?", mb.get().id());
            files.addAll(dropUnreferenced(c, bodies));
            id[0] = mb.get().id();
            return new Outcome.Done();
        });
        deleteFiles(files);
        if (id[0] != 0) notifier.fire(id[0]);
        return o;
    }

    @Override
    public Outcome rename(EmailAddress user, String from, String to) {
        String f = canonical(from);
        String t = canonical(to);
        if (f.equals(INBOX)) return new Outcome.Refused("Renaming INBOX is not supported");
        if (t.equals(f) || t.startsWith(f + DELIMITER)) return new Outcome.Refused("Cannot rename a mailbox into itself");
        return db.write(c -> {
            Optional<Mailbox> mb = find(c, user, f);
            if (mb.isEmpty()) return new Outcome.NotFound();
            if (find(c, user, t).isPresent()) return new Outcome.AlreadyExists();
            long userId = SqliteDirectory.count(c, "SELECT user_id FROM mailboxes WHERE id = ?", mb.get().id());
            // Children move along (RFC 9051 section 6.3.6); a new UIDVALIDITY keeps clients honest.
            long uidValidity = Counters.nextUidValidity(c, clock.millis() / 1000);
            SqliteDirectory.update(c, "UPDATE mailboxes SET name = ? || substr(name, ?), uidvalidity = ?"
                    + " WHERE user_id = ? AND (name = ? OR substr(name, 1, ?) = ?)",
                    t, f.length() + 1, uidValidity, userId, f, f.length() + 1, f + DELIMITER);
            return new Outcome.Done();
        });
    }

    @Override
    public Outcome subscribe(EmailAddress user, String name, boolean subscribed) {
        String n = canonical(name);
        return db.write(c -> {
            Optional<Mailbox> mb = find(c, user, n);
            if (mb.isEmpty()) return new Outcome.NotFound();
            SqliteDirectory.update(c, "UPDATE mailboxes SET subscribed = ? WHERE id = ?", subscribed ? 1 : 0, mb.get().id());
            return new Outcome.Done();
        });
    }

    @Override
    public long usage(EmailAddress user) {
        return db.read(c -> SqliteDirectory.count(c, "SELECT coalesce(sum(m.n_octets), 0) FROM mailboxes m"
                + " JOIN users u ON u.id = m.user_id WHERE u.address_key = ?", user.key()));
    }

    @Override
    public Optional<Snapshot> snapshot(long mailboxId) {
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

    @Override
    public Optional<UidMap> uidMap(long mailboxId) {
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

    @Override
    public Optional<Mailbox> scan(long mailboxId, boolean sizeAndDate, RowVisitor visitor) {
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

    @Override
    public Optional<Snapshot> changesSince(long mailboxId, long modseq) {
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

    private static Optional<Mailbox> find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MAILBOX_COLUMNS + " FROM mailboxes m WHERE m.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mailbox(rs)) : Optional.empty();
            }
        }
    }

    private static List<Message> messages(Connection c, long mailboxId, Optional<Set<Long>> only) throws SQLException {
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

    @Override
    public OptionalLong highestModseq(long mailboxId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT highestmodseq FROM mailboxes WHERE id = ?")) {
                ps.setLong(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    @Override
    public InputStream open(long mailboxId, long uid) throws IOException {
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

    /** Rows written per transaction when saving summaries: short write locks next to delivery. */
    private static final int SUMMARY_BATCH = 500;

    @Override
    public Map<Long, Summary> summaries(long mailboxId, Collection<Long> uids) {
        Map<Long, Summary> out = new HashMap<>();
        if (uids.isEmpty()) return out;
        Set<Long> wanted = uids instanceof Set<Long> set ? set : new HashSet<>(uids);
        long lo = uids.stream().mapToLong(Long::longValue).min().getAsLong();
        long hi = uids.stream().mapToLong(Long::longValue).max().getAsLong();
        return db.read(c -> {
            // one range scan on the primary key; UIDs outside the set are filtered here
            try (PreparedStatement ps = c.prepareStatement("SELECT g.uid, s.format, s.envelope, s.body, s.bodystructure,"
                    + " s.header FROM messages g JOIN body_summaries s ON s.body_id = g.body_id"
                    + " WHERE g.mailbox_id = ? AND g.uid BETWEEN ? AND ?")) {
                ps.setLong(1, mailboxId);
                ps.setLong(2, lo);
                ps.setLong(3, hi);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long uid = rs.getLong(1);
                        if (!wanted.contains(uid)) continue;
                        out.put(uid, new Summary(rs.getInt(2), rs.getBytes(3), rs.getBytes(4), rs.getBytes(5),
                                rs.getBytes(6), NO_FIELDS));
                    }
                }
            }
            return out;
        });
    }

    private static final byte[] NO_FIELDS = new byte[0];

    /** More needles than this: no pre-filter in SQL (the caller checks every message anyway). */
    private static final int MAX_NEEDLES = 8;

    @Override
    public Map<Long, HeaderFields> headerFields(long mailboxId, Collection<Long> uids, List<byte[]> anyOf) {
        Map<Long, HeaderFields> out = new HashMap<>();
        if (uids.isEmpty()) return out;
        Set<Long> wanted = uids instanceof Set<Long> set ? set : new HashSet<>(uids);
        long lo = uids.stream().mapToLong(Long::longValue).min().getAsLong();
        long hi = uids.stream().mapToLong(Long::longValue).max().getAsLong();
        List<byte[]> needles = anyOf.size() > MAX_NEEDLES ? List.of() : anyOf;
        // instr() on two BLOBs compares bytes: SQLite scans the column, only candidates travel
        String field = needles.isEmpty() ? "s.fields"
                : "CASE WHEN " + String.join(" OR ", java.util.Collections.nCopies(needles.size(), "instr(s.fields, ?) > 0"))
                + " THEN s.fields ELSE x'' END";
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT g.uid, s.format, " + field
                    + " FROM messages g JOIN body_search s ON s.body_id = g.body_id"
                    + " WHERE g.mailbox_id = ? AND g.uid BETWEEN ? AND ?")) {
                int p = 1;
                for (byte[] n : needles) ps.setBytes(p++, n);
                ps.setLong(p++, mailboxId);
                ps.setLong(p++, lo);
                ps.setLong(p, hi);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long uid = rs.getLong(1);
                        if (!wanted.contains(uid)) continue;
                        byte[] f = rs.getBytes(3);
                        out.put(uid, new HeaderFields(rs.getInt(2), f == null ? new byte[0] : f));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void summarizeArrivals(Summarizer summarizer) {
        summaries.start(summarizer);
    }

    @Override
    public void saveSummaries(long mailboxId, Map<Long, Summary> byUid) {
        List<Map.Entry<Long, Summary>> all = new ArrayList<>(byUid.entrySet());
        for (int from = 0; from < all.size(); from += SUMMARY_BATCH) {
            List<Map.Entry<Long, Summary>> batch = all.subList(from, Math.min(all.size(), from + SUMMARY_BATCH));
            db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO body_summaries"
                        + "(body_id, format, envelope, body, bodystructure, header)"
                        + " SELECT body_id, ?, ?, ?, ?, ? FROM messages WHERE mailbox_id = ? AND uid = ?");
                     PreparedStatement fs = c.prepareStatement("INSERT OR REPLACE INTO body_search(body_id, format, fields)"
                        + " SELECT body_id, ?, ? FROM messages WHERE mailbox_id = ? AND uid = ?")) {
                    for (Map.Entry<Long, Summary> e : batch) {
                        Summary s = e.getValue();
                        ps.setInt(1, s.format());
                        ps.setBytes(2, s.envelope());
                        ps.setBytes(3, s.body());
                        ps.setBytes(4, s.bodyStructure());
                        ps.setBytes(5, s.header());
                        ps.setLong(6, mailboxId);
                        ps.setLong(7, e.getKey());
                        ps.executeUpdate(); // no row when the message went meanwhile: nothing to cache
                        fs.setInt(1, s.format());
                        fs.setBytes(2, s.fields());
                        fs.setLong(3, mailboxId);
                        fs.setLong(4, e.getKey());
                        fs.executeUpdate();
                    }
                }
                return null;
            });
        }
    }

    /**
     * Deletes the {@code bodies} rows of the given bodies that no message and no queued
     * delivery references any more, inside the caller's transaction, and returns their paths.
     * The caller deletes the files after COMMIT; a crash in between leaves files without rows,
     * which recovery deletes at the next open.
     */
    private static List<String> dropUnreferenced(Connection c, Set<String> bodyIds) throws SQLException {
        List<String> paths = new ArrayList<>();
        for (String id : bodyIds) {
            if (SqliteDirectory.count(c, "SELECT count(*) FROM messages WHERE body_id = ?", id) > 0) continue;
            if (SqliteDirectory.count(c, "SELECT count(*) FROM outbound WHERE body_id = ?", id) > 0) continue;
            try (PreparedStatement ps = c.prepareStatement("SELECT path FROM bodies WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) paths.add(rs.getString(1));
                }
            }
            SqliteDirectory.update(c, "DELETE FROM bodies WHERE id = ?", id);
        }
        return paths;
    }

    private static Set<String> bodyIds(Connection c, long mailboxId, Iterable<Long> uids) throws SQLException {
        Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT body_id FROM messages WHERE mailbox_id = ? AND uid = ?")) {
            for (long u : uids) {
                ps.setLong(1, mailboxId);
                ps.setLong(2, u);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private void deleteFiles(List<String> paths) {
        for (String rel : paths) {
            try {
                Files.deleteIfExists(dir.bodyPath(rel));
            } catch (IOException e) {
                // recovery at the next open deletes files without a row
            }
        }
    }

    private static long nextModseq(Connection c, long mailboxId) throws SQLException {
        long m = SqliteDirectory.count(c, "SELECT highestmodseq FROM mailboxes WHERE id = ?", mailboxId) + 1;
        SqliteDirectory.update(c, "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?", m, mailboxId);
        return m;
    }

    @Override
    public List<Message> store(long mailboxId, Set<Long> uids, FlagMode mode, Set<String> flags,
                               OptionalLong unchangedSince) {
        List<Message> changed = db.write(c -> {
            List<Message> out = new ArrayList<>();
            long modseq = -1;
            for (Message m : messages(c, mailboxId, Optional.of(uids))) {
                if (unchangedSince.isPresent() && m.modseq() > unchangedSince.getAsLong()) continue;
                Set<String> next = new LinkedHashSet<>(mode == FlagMode.REPLACE ? Set.of() : m.flags());
                if (mode == FlagMode.REMOVE) next.removeAll(flags);
                else next.addAll(flags);
                if (next.equals(m.flags())) continue;
                if (modseq < 0) modseq = nextModseq(c, mailboxId);
                SqliteDirectory.update(c, "UPDATE messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?",
                        String.join(" ", next), modseq, mailboxId, m.uid());
                out.add(new Message(m.uid(), next, modseq, m.size(), m.internalDate()));
            }
            return out;
        });
        if (!changed.isEmpty()) notifier.fire(mailboxId);
        return changed;
    }

    @Override
    public List<Long> expunge(long mailboxId, Optional<Set<Long>> uids) {
        List<String> files = new ArrayList<>();
        List<Long> gone = db.write(c -> {
            List<Long> out = new ArrayList<>();
            for (Message m : messages(c, mailboxId, uids)) {
                if (m.flags().contains("\\Deleted")) out.add(m.uid());
            }
            Set<String> bodies = bodyIds(c, mailboxId, out);
            for (long u : out)
                SqliteDirectory.update(c, "DELETE FROM messages WHERE mailbox_id = ? AND uid = ?", mailboxId, u);
            if (!out.isEmpty()) nextModseq(c, mailboxId);
            files.addAll(dropUnreferenced(c, bodies));
            return out;
        });
        deleteFiles(files);
        if (!gone.isEmpty()) notifier.fire(mailboxId);
        return gone;
    }

    @Override
    public CopyResult copy(long fromMailbox, Set<Long> uids, long toMailbox, boolean move) {
        CopyResult r = db.write(c -> {
            long uidValidity = SqliteDirectory.count(c, "SELECT uidvalidity FROM mailboxes WHERE id = ?", toMailbox);
            long uidNext = SqliteDirectory.count(c, "SELECT uidnext FROM mailboxes WHERE id = ?", toMailbox);
            List<Long> src = new ArrayList<>();
            List<Long> dst = new ArrayList<>();
            List<Message> msgs = messages(c, fromMailbox, Optional.of(new TreeSet<>(uids)));
            if (msgs.isEmpty()) return new CopyResult(uidValidity, src, dst);
            long modseq = nextModseq(c, toMailbox);
            for (Message m : msgs) {
                SqliteDirectory.update(c, "INSERT INTO messages(mailbox_id, uid, body_id, size, internaldate, flags, modseq)"
                        + " SELECT ?, ?, body_id, size, internaldate, flags, ? FROM messages WHERE mailbox_id = ? AND uid = ?",
                        toMailbox, uidNext, modseq, fromMailbox, m.uid());
                src.add(m.uid());
                dst.add(uidNext++);
            }
            SqliteDirectory.update(c, "UPDATE mailboxes SET uidnext = ? WHERE id = ?", uidNext, toMailbox);
            if (move) { // the copies hold the bodies: nothing to drop
                for (long u : src)
                    SqliteDirectory.update(c, "DELETE FROM messages WHERE mailbox_id = ? AND uid = ?", fromMailbox, u);
                nextModseq(c, fromMailbox);
            }
            return new CopyResult(uidValidity, src, dst);
        });
        if (!r.sourceUids().isEmpty()) {
            notifier.fire(toMailbox);
            if (move) notifier.fire(fromMailbox);
        }
        return r;
    }

    @Override
    public AppendResult append(long mailboxId, byte[] message, Set<String> flags, Instant internalDate)
            throws IOException {
        MailStore.Draft d = mail.begin();
        SqliteDraft draft = (SqliteDraft) d;
        try {
            draft.out().write(message);
            draft.prepareCommit();
            draft.force();
            try (FileChannel dirChannel = FileChannel.open(draft.path.getParent(), StandardOpenOption.READ)) {
                dirChannel.force(true);
            }
            AppendResult r = db.write(c -> {
                long uidValidity = SqliteDirectory.count(c, "SELECT uidvalidity FROM mailboxes WHERE id = ?", mailboxId);
                if (uidValidity == 0) throw new SQLException("mailbox gone");
                long uid = SqliteDirectory.count(c, "SELECT uidnext FROM mailboxes WHERE id = ?", mailboxId);
                long modseq = nextModseq(c, mailboxId);
                SqliteDirectory.update(c, "UPDATE mailboxes SET uidnext = ? WHERE id = ?", uid + 1, mailboxId);
                SqliteDirectory.update(c, "INSERT INTO bodies(id, path, size, created) VALUES (?, ?, ?, ?)",
                        draft.id, draft.relativePath, (long) message.length, clock.millis());
                SqliteDirectory.update(c, "INSERT INTO messages(mailbox_id, uid, body_id, size, internaldate, flags, modseq)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", mailboxId, uid, draft.id, (long) message.length,
                        internalDate.toEpochMilli(), String.join(" ", flags), modseq);
                return new AppendResult(uidValidity, uid);
            });
            draft.committed();
            notifier.fire(mailboxId);
            summaries.offer(draft.id, draft.path, draft.prefix());
            return r;
        } catch (StoreException e) {
            draft.failed();
            draft.discard();
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            draft.failed();
            draft.discard();
            throw e;
        }
    }

    @Override
    public Watch watch(long mailboxId, Runnable onChange) {
        return notifier.watch(mailboxId, onChange);
    }
}
