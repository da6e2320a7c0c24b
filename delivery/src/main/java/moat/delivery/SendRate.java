package moat.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sending rate limits as sliding windows: at most {@code limit} recipients per {@code window}
 * per key (an authenticated submitter, a recipient domain). A group that does not fit is not
 * refused but held: {@link #tryAcquire} names the instant a slot frees, and the runner puts the
 * rows back in the queue until then (the "hold queue": visible in {@code moat queue list}).
 *
 * <p>LIMITATION: the windows live in memory; a restart forgets them (a restart costs the
 * limited party at most one extra window). Memory is bounded by the keys active within a window.
 */
final class SendRate {
    record Limit(String kind, int limit, Duration window) {}

    record Key(Limit limit, String id) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Key, ArrayDeque<Instant>> sent = new HashMap<>();
    private long calls;

    /** Records {@code n} sends for every key when all fit; otherwise records nothing and returns when to retry. */
    Optional<Instant> tryAcquire(List<Key> keys, int n, Instant now) {
        lock.lock();
        try {
            if (++calls % 1024 == 0) prune(now);
            Instant retry = null;
            for (Key k : keys) {
                ArrayDeque<Instant> q = window(k, now);
                int limit = k.limit().limit();
                // A group larger than the whole limit goes alone, when its window is empty.
                if (q.size() + n <= limit || n > limit && q.isEmpty()) continue;
                int mustLeave = n > limit ? q.size() : q.size() + n - limit;
                Instant leaves = q.stream().skip(mustLeave - 1L).findFirst().orElseThrow().plus(k.limit().window());
                if (retry == null || leaves.isAfter(retry)) retry = leaves;
            }
            if (retry != null) return Optional.of(retry);
            for (Key k : keys) {
                ArrayDeque<Instant> q = sent.computeIfAbsent(k, x -> new ArrayDeque<>());
                for (int i = 0; i < n; i++) q.addLast(now);
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private ArrayDeque<Instant> window(Key k, Instant now) {
        ArrayDeque<Instant> q = sent.get(k);
        if (q == null) return new ArrayDeque<>();
        Instant start = now.minus(k.limit().window());
        while (!q.isEmpty() && !q.peekFirst().isAfter(start)) q.pollFirst();
        return q;
    }

    private void prune(Instant now) {
        sent.entrySet().removeIf(e -> window(e.getKey(), now).isEmpty());
    }
}
