package moat.store.sqlite;

import static moat.store.sqlite.Sql.count;
import static moat.store.sqlite.Sql.update;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import moat.store.Mailboxes.CopyResult;
import moat.store.Mailboxes.FlagMode;
import moat.store.Mailboxes.Message;

/**
 * The only writer of the {@code mailboxes} and {@code messages} tables: folders, UIDs, modseq
 * and flags. Every method runs inside the caller's write transaction (the group committer's,
 * or one {@link Connections#write} of {@link SqliteMailboxes}, {@link SqliteMailStore} or
 * {@link SqliteDirectory}), so the callers decide what is atomic; this class decides how the
 * rows change, in one place for SMTP delivery, APPEND, COPY, STORE, EXPUNGE and POP3.
 *
 * <p>UIDs come from {@code mailboxes.uidnext} and are never reused (RFC 9051 section 2.3.1.1);
 * each change takes the mailbox's next modseq (RFC 7162 section 3.1). The per-mailbox counters
 * follow by trigger (schema step 9). A message row refers to a {@code bodies} row
 * ({@link Bodies}); removing rows returns their body ids so the caller can free the bodies no
 * row refers to any more.
 */
final class MailboxRows {
    private MailboxRows() {}

    // ---- folders

    /** A new mailbox with an id never used before; {@code specialUse} empty: none (RFC 6154). */
    static void insertMailbox(Connection c, long userId, String name, long uidValidity, String specialUse)
            throws SQLException {
        update(c, "INSERT INTO mailboxes(id, user_id, name, uidvalidity, special_use) VALUES (?, ?, ?, ?, nullif(?, ''))",
                Counters.nextMailboxId(c), userId, name, uidValidity, specialUse);
    }

    /** Renames {@code from} and its children (RFC 9051 section 6.3.6), all under a new UIDVALIDITY. */
    static void renameTree(Connection c, long userId, String from, String to, char delimiter, long uidValidity)
            throws SQLException {
        update(c, "UPDATE mailboxes SET name = ? || substr(name, ?), uidvalidity = ?"
                + " WHERE user_id = ? AND (name = ? OR substr(name, 1, ?) = ?)",
                to, from.length() + 1, uidValidity, userId, from, from.length() + 1, from + delimiter);
    }

    static void setSubscribed(Connection c, long mailboxId, boolean subscribed) throws SQLException {
        update(c, "UPDATE mailboxes SET subscribed = ? WHERE id = ?", subscribed ? 1 : 0, mailboxId);
    }

    /** Deletes the mailbox and its messages; returns the bodies they referred to. */
    static Set<String> deleteMailbox(Connection c, long mailboxId) throws SQLException {
        Set<String> bodies = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT body_id FROM messages WHERE mailbox_id = ?")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) bodies.add(rs.getString(1));
            }
        }
        update(c, "DELETE FROM messages WHERE mailbox_id = ?", mailboxId);
        update(c, "DELETE FROM mailboxes WHERE id = ?", mailboxId);
        return bodies;
    }

    /** Raises the mailbox's HIGHESTMODSEQ by one and returns it: the modseq of this change. */
    static long nextModseq(Connection c, long mailboxId) throws SQLException {
        long m = count(c, "SELECT highestmodseq FROM mailboxes WHERE id = ?", mailboxId) + 1;
        update(c, "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?", m, mailboxId);
        return m;
    }

    // ---- new messages

    /** Where the next message of a mailbox goes: its UID and modseq, under the mailbox's UIDVALIDITY. */
    record Slot(long mailbox, long uidValidity, long uid, long modseq) {}

    /** The next slot of a mailbox by id; empty when the mailbox is gone. */
    static Optional<Slot> slot(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, uidvalidity, uidnext, highestmodseq FROM mailboxes WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            return slot(ps);
        }
    }

    /** The next slot of a delivery: the user's {@code mailbox} (Junk for quarantine), else INBOX if it was deleted. */
    static Optional<Slot> deliverySlot(Connection c, String userKey, String mailbox) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT m.id, m.uidvalidity, m.uidnext, m.highestmodseq"
                + " FROM mailboxes m JOIN users u ON u.id = m.user_id WHERE u.address_key = ? AND m.name IN (?, 'INBOX')"
                + " ORDER BY m.name = 'INBOX' LIMIT 1")) {
            ps.setString(1, userKey);
            ps.setString(2, mailbox);
            return slot(ps);
        }
    }

    private static Optional<Slot> slot(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(new Slot(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4) + 1))
                    : Optional.empty();
        }
    }

    /** Takes the slot (UIDNEXT and HIGHESTMODSEQ move on) and adds the message row there. */
    static void addMessage(Connection c, Slot slot, String bodyId, long size, long internalDate, String flags)
            throws SQLException {
        update(c, "UPDATE mailboxes SET uidnext = ?, highestmodseq = ? WHERE id = ?", slot.uid() + 1, slot.modseq(),
                slot.mailbox());
        update(c, "INSERT INTO messages(mailbox_id, uid, body_id, size, internaldate, flags, modseq)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", slot.mailbox(), slot.uid(), bodyId, size, internalDate, flags, slot.modseq());
    }

    // ---- changes to messages

    /**
     * STORE (RFC 9051 section 6.4.6) with CONDSTORE's UNCHANGEDSINCE (RFC 7162 section 3.1.3):
     * the messages whose flags really change share one new modseq; returns them as changed.
     */
    static List<Message> storeFlags(Connection c, long mailboxId, Set<Long> uids, FlagMode mode, Set<String> flags,
                                    OptionalLong unchangedSince) throws SQLException {
        List<Message> out = new ArrayList<>();
        long modseq = -1;
        for (Message m : MailboxReads.messages(c, mailboxId, Optional.of(uids))) {
            if (unchangedSince.isPresent() && m.modseq() > unchangedSince.getAsLong()) continue;
            Set<String> next = new LinkedHashSet<>(mode == FlagMode.REPLACE ? Set.of() : m.flags());
            if (mode == FlagMode.REMOVE) next.removeAll(flags);
            else next.addAll(flags);
            if (next.equals(m.flags())) continue;
            if (modseq < 0) modseq = nextModseq(c, mailboxId);
            update(c, "UPDATE messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?",
                    String.join(" ", next), modseq, mailboxId, m.uid());
            out.add(new Message(m.uid(), next, modseq, m.size(), m.internalDate()));
        }
        return out;
    }

    /**
     * Deletes the given messages (unknown UIDs are ignored) and, when any went, raises the
     * mailbox's modseq once; returns the bodies the deleted rows referred to.
     */
    static Set<String> deleteMessages(Connection c, long mailboxId, Collection<Long> uids) throws SQLException {
        Set<String> bodies = new LinkedHashSet<>();
        int removed = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM messages WHERE mailbox_id = ? AND uid = ? RETURNING body_id")) {
            for (long uid : new LinkedHashSet<>(uids)) {
                ps.setLong(1, mailboxId);
                ps.setLong(2, uid);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        bodies.add(rs.getString(1));
                        removed++;
                    }
                }
            }
        }
        if (removed > 0) nextModseq(c, mailboxId);
        return bodies;
    }

    /**
     * COPY (RFC 9051 section 6.4.7) or MOVE (RFC 9051 section 6.4.8): new rows in {@code to} that
     * share the source rows' bodies, at consecutive new UIDs and one new modseq. A MOVE then
     * deletes the source rows (the copies hold the bodies: nothing to free).
     */
    static CopyResult copy(Connection c, long from, Set<Long> uids, long to, boolean move) throws SQLException {
        long uidValidity = count(c, "SELECT uidvalidity FROM mailboxes WHERE id = ?", to);
        long uidNext = count(c, "SELECT uidnext FROM mailboxes WHERE id = ?", to);
        List<Long> src = new ArrayList<>();
        List<Long> dst = new ArrayList<>();
        List<Message> msgs = MailboxReads.messages(c, from, Optional.of(new java.util.TreeSet<>(uids)));
        if (msgs.isEmpty()) return new CopyResult(uidValidity, src, dst);
        long modseq = nextModseq(c, to);
        for (Message m : msgs) {
            update(c, "INSERT INTO messages(mailbox_id, uid, body_id, size, internaldate, flags, modseq)"
                    + " SELECT ?, ?, body_id, size, internaldate, flags, ? FROM messages WHERE mailbox_id = ? AND uid = ?",
                    to, uidNext, modseq, from, m.uid());
            src.add(m.uid());
            dst.add(uidNext++);
        }
        update(c, "UPDATE mailboxes SET uidnext = ? WHERE id = ?", uidNext, to);
        if (move) {
            for (long u : src) update(c, "DELETE FROM messages WHERE mailbox_id = ? AND uid = ?", from, u);
            nextModseq(c, from);
        }
        return new CopyResult(uidValidity, src, dst);
    }
}
