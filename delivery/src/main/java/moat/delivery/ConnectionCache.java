package moat.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Idle outbound SMTP connections kept for the next message to the same destination (Postfix's
 * connection cache, in one process). A connection is parked after a completed transaction and
 * taken by the next delivery with the same {@link Key}; the taker sends RSET (RFC 5321 section
 * 4.1.1.5) before using it and opens a fresh connection when the peer is gone.
 *
 * <p>The key is the whole {@link SmtpTransport.Target} (host, address, port, TLS requirement,
 * DANE records, AUTH credentials) plus the next hop (the recipient domain for MX delivery, the
 * smart host, or the configured transport): a connection opened under one domain's MTA-STS or
 * DANE policy is never used for another domain, and one opened with opportunistic TLS (or in
 * plaintext after a failed handshake) is never used where verified TLS is required.
 *
 * <p>Bounds: {@code delivery.connection_cache_size} idle connections in all (the oldest is
 * closed when a new one comes), each idle for at most {@code delivery.connection_cache_time},
 * used for at most {@code delivery.connection_reuse_count} transactions and
 * {@code delivery.connection_reuse_time}. A broken connection (I/O error, timeout, 421) is
 * never parked. Closing QUITs every idle connection.
 */
final class ConnectionCache implements AutoCloseable {
    /** What a connection may be reused for: the same next hop and exactly the same target. */
    record Key(String nextHop, SmtpTransport.Target target) {}

    /** One parked connection; identity equality (the same session is never parked twice at once). */
    private static final class Idle {
        final Key key;
        final SmtpTransport.Session session;
        ScheduledFuture<?> expiry; // set under the lock right after scheduling

        Idle(Key key, SmtpTransport.Session session) {
            this.key = key;
            this.session = session;
        }
    }

    private final ConnectionCacheSettings.Values cfg;
    private final ScheduledExecutorService timer;
    private final ReentrantLock lock = new ReentrantLock();
    /** Per key, the most recently parked last; insertion order over all keys for eviction. */
    private final Map<Key, ArrayDeque<Idle>> byKey = new HashMap<>();
    private final LinkedHashMap<Idle, Boolean> byAge = new LinkedHashMap<>();
    private boolean closed;

    ConnectionCache(ConnectionCacheSettings.Values cfg, ScheduledExecutorService timer) {
        this.cfg = cfg;
        this.timer = timer;
    }

    /** An idle connection for {@code key}, removed from the cache (the caller RSETs it), or empty. */
    Optional<SmtpTransport.Session> take(Key key) {
        lock.lock();
        try {
            ArrayDeque<Idle> q = byKey.get(key);
            if (q == null) return Optional.empty();
            Idle i = q.pollLast(); // the most recent: the least likely to have been timed out by the peer
            if (q.isEmpty()) byKey.remove(key);
            byAge.remove(i);
            if (i.expiry != null) i.expiry.cancel(false);
            return Optional.of(i.session);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps a connection after a completed transaction, or QUITs it when it is broken, used up
     * (count or age), reuse is off or the cache is closed. A full cache QUITs its oldest entry.
     */
    void park(Key key, SmtpTransport.Session s) {
        if (!cfg.reuse() || !s.usable() || s.transactions() >= cfg.reuseCount() || s.age().compareTo(cfg.reuseTime()) >= 0) {
            s.quit();
            return;
        }
        List<SmtpTransport.Session> out = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                out.add(s);
            } else {
                while (byAge.size() >= cfg.maxIdle()) out.add(remove(byAge.firstEntry().getKey()));
                Idle i = new Idle(key, s);
                byKey.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(i);
                byAge.put(i, Boolean.TRUE);
                // expire() takes the lock, so it cannot see the entry before expiry is set.
                i.expiry = timer.schedule(() -> expire(i), cfg.idleTime().toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
        for (SmtpTransport.Session o : out) o.quit();
    }

    /** Idle connections now (for tests and the log). */
    int idle() {
        lock.lock();
        try {
            return byAge.size();
        } finally {
            lock.unlock();
        }
    }

    private void expire(Idle i) {
        lock.lock();
        try {
            if (!byAge.containsKey(i)) return; // taken meanwhile
            remove(i);
        } finally {
            lock.unlock();
        }
        // Not on the timer thread: QUIT waits for a reply, and the timer also guards data writes.
        Thread.ofVirtual().name("moat-delivery-quit").start(i.session::quit);
    }

    /** Under the lock. */
    private SmtpTransport.Session remove(Idle i) {
        byAge.remove(i);
        ArrayDeque<Idle> q = byKey.get(i.key);
        if (q != null) {
            q.remove(i);
            if (q.isEmpty()) byKey.remove(i.key);
        }
        if (i.expiry != null) i.expiry.cancel(false);
        return i.session;
    }

    /** QUITs every idle connection (at most a few seconds in all); later parks are QUIT at once. */
    @Override
    public void close() {
        List<SmtpTransport.Session> out = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            while (!byAge.isEmpty()) out.add(remove(byAge.firstEntry().getKey()));
        } finally {
            lock.unlock();
        }
        List<Thread> quitting = new ArrayList<>();
        for (SmtpTransport.Session s : out) quitting.add(Thread.ofVirtual().start(s::quit));
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        for (Thread t : quitting) {
            try {
                long left = end - System.nanoTime();
                if (left > 0) t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
