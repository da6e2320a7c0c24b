package moat.server.policy;

import java.time.Instant;
import java.util.Optional;
import moat.policy.greylist.GreylistStore;
import moat.store.sqlite.SqliteGreylist;

/** Adapts the store's greylist tables to the policy SPI (the store module does not know policy). */
final class SqliteGreylistStore implements GreylistStore {
    private final SqliteGreylist db;

    SqliteGreylistStore(SqliteGreylist db) {
        this.db = db;
    }

    @Override
    public Optional<Entry> find(Triplet t) {
        return db.find(t.clientNet(), t.sender(), t.recipient()).map(r -> new Entry(r.firstSeen(), r.lastSeen(), r.passed()));
    }

    @Override
    public void save(Triplet t, Entry e) {
        db.save(t.clientNet(), t.sender(), t.recipient(), new SqliteGreylist.Row(e.firstSeen(), e.lastSeen(), e.passed()));
    }

    @Override
    public int passes(String clientNet, Instant since) {
        return db.passes(clientNet, since);
    }

    @Override
    public void recordPass(String clientNet, Instant at) {
        db.recordPass(clientNet, at);
    }

    @Override
    public void purge(Instant before) {
        db.purge(before);
    }
}
