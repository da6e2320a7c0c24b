package moat.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import moat.core.EmailAddress;
import moat.store.StoreException;
import moat.store.UserLists;

/**
 * {@link UserLists} in table {@code user_lists}, keyed by the user's row (so the entries cascade
 * with {@code moat user del}). Entries are stored in their canonical text and parsed back on read;
 * one indexed read per RCPT.
 */
final class SqliteUserLists implements UserLists {
    private final Connections db;

    SqliteUserLists(Connections db) {
        this.db = db;
    }

    @Override
    public boolean addEntry(EmailAddress user, Kind kind, Entry entry) {
        return db.write(c -> {
            long id = Sql.count(c, "SELECT id FROM users WHERE address_key = ?", user.key());
            if (id == 0) throw new StoreException("no such user: " + user);
            return Sql.update(c, "INSERT INTO user_lists(user_id, kind, entry) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    id, kind.spelling(), entry.text()) == 1;
        });
    }

    @Override
    public boolean removeEntry(EmailAddress user, Kind kind, Entry entry) {
        return db.write(c -> {
            long id = Sql.count(c, "SELECT id FROM users WHERE address_key = ?", user.key());
            if (id == 0) throw new StoreException("no such user: " + user);
            return Sql.update(c, "DELETE FROM user_lists WHERE user_id = ? AND kind = ? AND entry = ?",
                    id, kind.spelling(), entry.text()) == 1;
        });
    }

    @Override
    public List<Entry> entries(EmailAddress user, Kind kind) {
        return kind == Kind.ALLOW ? lists(user).allow() : lists(user).block();
    }

    @Override
    public Lists lists(EmailAddress user) {
        return db.read(c -> {
            List<Entry> allow = new ArrayList<>();
            List<Entry> block = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT l.kind, l.entry FROM user_lists l JOIN users u ON u.id = l.user_id "
                    + "WHERE u.address_key = ? ORDER BY l.entry")) {
                ps.setString(1, user.key());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Entry e = Entry.parse(rs.getString(2));
                        (rs.getString(1).equals("allow") ? allow : block).add(e);
                    }
                }
            }
            return new Lists(allow, block);
        });
    }
}
