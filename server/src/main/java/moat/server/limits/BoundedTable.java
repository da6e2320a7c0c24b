package moat.server.limits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A map with a hard size cap, in least-recently-used order, for per-client state. Memory is
 * bounded twice: idle entries are dropped as traffic passes (a few of the oldest are examined on
 * every write, so no timer thread is needed), and at the cap the oldest evictable entry makes
 * room. What "idle" and "evictable" mean is the owner's business ({@link Policy}).
 *
 * <p>Not thread-safe: the owner guards it with its lock.
 */
final class BoundedTable<K, V> {
    /** How the owner's values age. */
    interface Policy<V> {
        /** Holds nothing that still matters at {@code now}: drop it. */
        boolean idle(V value, Instant now);

        /** Must never be dropped (e.g. it counts live connections that will be released). */
        boolean pinned(V value);
    }

    /** Entries examined per write for idleness; small so that a write stays O(1). */
    private static final int SWEEP = 4;
    /** Entries examined at the cap looking for an idle one before falling back to the oldest. */
    private static final int SCAN = 64;

    private final LinkedHashMap<K, V> map = new LinkedHashMap<>(256, 0.75f, true);
    private final int capacity;
    private final Policy<V> policy;
    private long evictions;

    BoundedTable(int capacity, Policy<V> policy) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be positive");
        this.capacity = capacity;
        this.policy = policy;
    }

    /** The entry of {@code key}, if tracked. Marks it recently used. */
    Optional<V> find(K key) {
        return Optional.ofNullable(map.get(key));
    }

    /**
     * The entry of {@code key}, created when missing. Empty only when the table is full of pinned
     * entries, which owners rule out by choosing a capacity above their pinned maximum.
     */
    Optional<V> obtain(K key, Instant now, Function<K, V> create) {
        sweep(now);
        V v = map.get(key);
        if (v != null) return Optional.of(v);
        if (map.size() >= capacity && !evictOne(now)) return Optional.empty();
        v = create.apply(key);
        map.put(key, v);
        return Optional.of(v);
    }

    void remove(K key) {
        map.remove(key);
    }

    int size() {
        return map.size();
    }

    long evictions() {
        return evictions;
    }

    private void sweep(Instant now) {
        Iterator<V> it = map.values().iterator();
        for (int i = 0; i < SWEEP && it.hasNext(); i++) {
            V v = it.next();
            if (!policy.pinned(v) && policy.idle(v, now)) it.remove();
        }
    }

    /**
     * Makes room for one entry: an idle one among the oldest, else the oldest unpinned one (the
     * client loses its history: documented in package-info). Pinned entries met on the way are
     * moved to the young end so that the next scan does not walk over them again.
     */
    private boolean evictOne(Instant now) {
        List<K> pinned = new ArrayList<>();
        K victim = null;
        int scanned = 0;
        for (Map.Entry<K, V> e : map.entrySet()) {
            if (policy.pinned(e.getValue())) {
                pinned.add(e.getKey());
                continue;
            }
            if (victim == null) victim = e.getKey();
            if (policy.idle(e.getValue(), now)) {
                victim = e.getKey();
                break;
            }
            if (++scanned >= SCAN) break;
        }
        for (K k : pinned) map.get(k);
        if (victim == null) return false;
        map.remove(victim);
        evictions++;
        return true;
    }
}
