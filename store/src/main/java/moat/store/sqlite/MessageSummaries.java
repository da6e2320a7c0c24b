package moat.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import moat.store.Mailboxes.HeaderFields;
import moat.store.Mailboxes.Summary;

/**
 * The parsed forms of a message kept per body (docs/adr/0014, 0017): {@code body_summaries}
 * (ENVELOPE, BODY, BODYSTRUCTURE, header) and {@code body_search} (the searched header fields),
 * and the only writer of those two tables. Readers look them up by UID; the IMAP side saves what
 * it parsed on first use, and the {@link SummaryFiller} what it parsed at arrival. Keyed by body,
 * so every copy of a message shares one summary, which goes with the body's row (foreign key).
 */
final class MessageSummaries {
    private final Connections db;

    MessageSummaries(Connections db) {
        this.db = db;
    }

    /** Rows written per transaction when saving summaries: short write locks next to delivery. */
    private static final int SUMMARY_BATCH = 500;

    Map<Long, Summary> summaries(long mailboxId, Collection<Long> uids) {
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

    Map<Long, HeaderFields> headerFields(long mailboxId, Collection<Long> uids, List<byte[]> anyOf) {
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

    void saveSummaries(long mailboxId, Map<Long, Summary> byUid) {
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
     * The summaries of newly stored bodies ({@link SummaryFiller}), inside the caller's write
     * transaction: written only while the body's row exists (it may have been expunged since),
     * and never over a summary a reader saved meanwhile, which is as good as this one.
     */
    static void saveArrivals(Connection c, List<String> bodyIds, List<Summary> sums) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO body_summaries"
                + "(body_id, format, envelope, body, bodystructure, header)"
                + " SELECT id, ?, ?, ?, ?, ? FROM bodies WHERE id = ?");
             PreparedStatement fs = c.prepareStatement("INSERT OR IGNORE INTO body_search(body_id, format, fields)"
                + " SELECT id, ?, ? FROM bodies WHERE id = ?")) {
            for (int i = 0; i < bodyIds.size(); i++) {
                Summary m = sums.get(i);
                ps.setInt(1, m.format());
                ps.setBytes(2, m.envelope());
                ps.setBytes(3, m.body());
                ps.setBytes(4, m.bodyStructure());
                ps.setBytes(5, m.header());
                ps.setString(6, bodyIds.get(i));
                ps.executeUpdate();
                fs.setInt(1, m.format());
                fs.setBytes(2, m.fields());
                fs.setString(3, bodyIds.get(i));
                fs.executeUpdate();
            }
        }
    }
}
