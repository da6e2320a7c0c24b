package moat.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;
import moat.store.GreylistState;

/**
 * {@link Greylist} in the index database (tables {@code greylist} and {@code greylist_clients},
 * written by this class only), so it survives restarts. The policy module's {@code GreylistStore}
 * is adapted to this in the server module (the store does not depend on policy). Writes use the
 * admin connection, one small transaction each.
 *
 * <p>LIMITATION: every first attempt costs one synchronous commit (fsync); under a flood of new
 * triplets that is the limit of the greylist. Purging is up to the caller.
 */
public final class SqliteGreylist implements GreylistState {
    private final Connections db;

    SqliteGreylist(Connections db) {
        this.db = db;
    }

    @Override
    public Optional<Row> find(String clientNet, String sender, String recipient) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT first_seen, last_seen, passed FROM greylist WHERE client_net = ? AND sender = ? AND recipient = ?")) {
                ps.setString(1, clientNet);
                ps.setString(2, sender);
                ps.setString(3, recipient);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new Row(Instant.ofEpochMilli(rs.getLong(1)), Instant.ofEpochMilli(rs.getLong(2)),
                            rs.getLong(3) != 0));
                }
            }
        });
    }

    @Override
    public void save(String clientNet, String sender, String recipient, Row row) {
        db.write(c -> Sql.update(c, "INSERT INTO greylist(client_net, sender, recipient, first_seen, last_seen, passed) "
                        + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(client_net, sender, recipient) DO UPDATE SET "
                        + "first_seen = excluded.first_seen, last_seen = excluded.last_seen, passed = excluded.passed",
                clientNet, sender, recipient, row.firstSeen().toEpochMilli(), row.lastSeen().toEpochMilli(),
                row.passed() ? 1L : 0L));
    }

    @Override
    public int passes(String clientNet, Instant since) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT passes FROM greylist_clients WHERE client_net = ? AND last_pass >= ?")) {
                ps.setString(1, clientNet);
                ps.setLong(2, since.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    @Override
    public void recordPass(String clientNet, Instant at) {
        db.write(c -> Sql.update(c, "INSERT INTO greylist_clients(client_net, passes, last_pass) VALUES (?, 1, ?) "
                + "ON CONFLICT(client_net) DO UPDATE SET passes = passes + 1, last_pass = excluded.last_pass",
                clientNet, at.toEpochMilli()));
    }

    @Override
    public int purge(Instant before) {
        return db.write(c -> Sql.update(c, "DELETE FROM greylist WHERE last_seen < ?", before.toEpochMilli())
                + Sql.update(c, "DELETE FROM greylist_clients WHERE last_pass < ?", before.toEpochMilli()));
    }
}
