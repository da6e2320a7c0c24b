package moat.policy.greylist;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded in-memory {@link GreylistStore}: the least recently used triplets are forgotten
 * first, so a flood of new triplets cannot exhaust memory (it only makes their senders retry
 * once more). Lost on restart. For tests, dry runs and single-node setups that accept that.
 */
public final class InMemoryGreylistStore implements GreylistStore {
    private record Client(int passes, Instant lastPass) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Triplet, Entry> triplets;
    private final LinkedHashMap<String, Client> clients;

    public InMemoryGreylistStore(int maxEntries) {
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries must be >= 1");
        this.triplets = lru(maxEntries);
        this.clients = lru(maxEntries);
    }

    private static <K, V> LinkedHashMap<K, V> lru(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }

    @Override
    public Optional<Entry> find(Triplet t) {
        lock.lock();
        try {
            return Optional.ofNullable(triplets.get(t));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void save(Triplet t, Entry e) {
        lock.lock();
        try {
            triplets.put(t, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int passes(String clientNet, Instant since) {
        lock.lock();
        try {
            Client c = clients.get(clientNet);
            return c == null || c.lastPass().isBefore(since) ? 0 : c.passes();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void recordPass(String clientNet, Instant at) {
        lock.lock();
        try {
            Client c = clients.get(clientNet);
            clients.put(clientNet, new Client(c == null ? 1 : c.passes() + 1, at));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void purge(Instant before) {
        lock.lock();
        try {
            triplets.values().removeIf(e -> e.lastSeen().isBefore(before));
            clients.values().removeIf(c -> c.lastPass().isBefore(before));
        } finally {
            lock.unlock();
        }
    }
}
