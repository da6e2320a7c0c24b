package moat.server.policy;

import java.time.Instant;
import java.util.Optional;
import moat.policy.greylist.GreylistStore;
import moat.store.GreylistState;

/** Adapts the store's greylist tables to the policy SPI (the store module does not know policy). */
final class StoreGreylist implements GreylistStore {
    private final GreylistState db;

    StoreGreylist(GreylistState db) {
        this.db = db;
    }

    @Override
    public Optional<Entry> find(Triplet t) {
        return db.find(t.clientNet(), t.sender(), t.recipient()).map(r -> new Entry(r.firstSeen(), r.lastSeen(), r.passed()));
    }

    @Override
    public void save(Triplet t, Entry e) {
        db.save(t.clientNet(), t.sender(), t.recipient(), new GreylistState.Row(e.firstSeen(), e.lastSeen(), e.passed()));
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
