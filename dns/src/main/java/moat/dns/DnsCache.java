package moat.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import moat.core.dns.DnsResult;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * A bounded least-recently-used cache of DNS outcomes keyed by (name, type), each kept for its
 * TTL capped at {@code maxTtl}. Temporary failures are never cached: the next query retries.
 * The clock is injected so tests can expire entries without waiting.
 *
 * <p>LIMITATION: two threads missing on the same key both query upstream (no request coalescing).
 */
final class DnsCache {
    private record Key(Name name, int type) {}

    private record Cached(DnsResult<List<Record>> result, Instant expires) {}

    private final int capacity;
    private final Duration maxTtl;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Key, Cached> entries;

    DnsCache(int capacity, Duration maxTtl, Clock clock) {
        this.capacity = capacity;
        this.maxTtl = maxTtl;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
                return size() > DnsCache.this.capacity;
            }
        };
    }

    DnsResult<List<Record>> get(Name name, int type, Supplier<DnsjavaResolver.Outcome> query) {
        Key key = new Key(name, type);
        Instant now = clock.instant();
        if (capacity > 0) {
            lock.lock();
            try {
                Cached e = entries.get(key);
                if (e != null && now.isBefore(e.expires())) return e.result();
                if (e != null) entries.remove(key);
            } finally {
                lock.unlock();
            }
        }
        // The query runs outside the lock: a slow upstream must not stall other lookups.
        DnsjavaResolver.Outcome outcome = query.get();
        if (capacity > 0 && !(outcome.result() instanceof DnsResult.TempFail) && outcome.ttlSeconds() > 0) {
            Duration ttl = Duration.ofSeconds(Math.min(outcome.ttlSeconds(), maxTtl.toSeconds()));
            lock.lock();
            try {
                entries.put(key, new Cached(outcome.result(), clock.instant().plus(ttl)));
            } finally {
                lock.unlock();
            }
        }
        return outcome.result();
    }

    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }
}
