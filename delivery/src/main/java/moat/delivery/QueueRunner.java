package moat.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import moat.core.Audit;
import moat.core.Domain;
import moat.core.Event;
import moat.store.OutboundQueue;
import moat.store.OutboundQueue.Entry;

/**
 * The outbound queue runner. Every {@code delivery.scan_interval} (or at {@link #wake}) it claims
 * the due rows ({@link OutboundQueue#claim}: leased, so no other runner sends them), groups them
 * by message and recipient domain (one SMTP transaction per group), and hands the groups of one domain
 * to a few lanes (one virtual thread each, taking the groups one after the other, so they share a
 * cached connection), within a global and a per-domain connection limit. {@link MessageSender}
 * makes each attempt, {@link ResultRecorder} applies its results.
 *
 * <p>Durability (docs/adr/0011-outbound-delivery.md): a row is removed only after the remote 250
 * for its recipient (or after its failure DSN is stored). A crash before that leaves the row
 * {@code sending}; {@link #start} re-queues it, so nothing is lost and the recipient may get the
 * message twice only if the crash fell between the remote 250 and the row's removal (the window
 * RFC 1047 describes; SMTP has no way to close it).
 *
 * <p>DSNs go only to the authenticated local submitter of the message, into their INBOX through
 * the store; mail received unauthenticated on port 25 is never bounced (no backscatter).
 */
public final class QueueRunner implements AutoCloseable {
    private final DeliverySettings.Values cfg;
    private final OutboundQueue queue;
    private final Audit audit;
    private final Clock clock;
    private final Semaphore global;
    private final DomainSlots perDomain;
    private final SendRate rates = new SendRate();
    private final ConnectionCache cache;
    private final Optional<TlsRpt> tlsRpt;
    private final MessageSender sender;
    private final ResultRecorder recorder;
    private final SendRate.Limit userLimit;
    private final SendRate.Limit domainLimit;
    private final ScheduledExecutorService watchdog;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.concurrent.ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private boolean wakeRequested;
    private long scans; // the loop thread only
    private volatile boolean closed;
    private Thread loop;

    /**
     * What the runner works with, put together by {@link DeliveryAssembly}. The runner owns them
     * from here on: {@link #close} closes the cache, stops the watchdog and saves the TLS-RPT counts.
     *
     * @param watchdog the timer the transport and the cache share (session deadlines, idle expiry)
     */
    record Parts(DeliverySettings.Values settings, OutboundQueue queue, Audit audit, Clock clock,
                 MessageSender sender, ResultRecorder recorder, ConnectionCache cache, Optional<TlsRpt> tlsRpt,
                 ScheduledExecutorService watchdog) {}

    QueueRunner(Parts parts) {
        this.cfg = parts.settings();
        this.queue = parts.queue();
        this.audit = parts.audit();
        this.clock = parts.clock();
        this.sender = parts.sender();
        this.recorder = parts.recorder();
        this.cache = parts.cache();
        this.tlsRpt = parts.tlsRpt();
        this.watchdog = parts.watchdog();
        this.global = new Semaphore(cfg.maxConnections());
        this.perDomain = new DomainSlots(cfg.maxPerDomain());
        this.userLimit = new SendRate.Limit("user", cfg.userRate(), Duration.ofHours(1));
        this.domainLimit = new SendRate.Limit("domain", cfg.domainRate(), Duration.ofHours(1));
    }

    /** The TLS-RPT recorder, when on. */
    Optional<TlsRpt> tlsRpt() {
        return tlsRpt;
    }

    /**
     * Re-queues the rows a previous process left {@code sending} (a crash mid-delivery), then
     * starts the scan loop when {@code delivery.enabled}. Returns the number of rows re-queued.
     */
    public int start() throws IOException {
        int requeued = queue.requeueAbandoned(clock.instant());
        if (requeued > 0) audit.event(Event.DELIVERY_RECOVERED, Map.of("rows", requeued));
        if (cfg.enabled()) loop = Thread.ofPlatform().daemon().name("moat-delivery").start(this::run);
        return requeued;
    }

    /** Asks the loop to scan now (new mail, an admin's retry). */
    public void wake() {
        lock.lock();
        try {
            wakeRequested = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!closed) {
            try {
                tlsRpt.ifPresent(TlsRpt::tick); // yesterday's reports once the UTC day is over; counts to disk
                dispatch(false);
            } catch (IOException | RuntimeException e) {
                audit.internal(Event.DELIVERY_SCAN_FAILED, e);
            }
            lock.lock();
            try {
                if (!wakeRequested && !closed) woken.await(cfg.scanInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeRequested = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Claims every due row (up to {@code delivery.batch}), delivers them and waits until each
     * group is finished. Returns the number of rows handled. For an admin's "run now" and for
     * tests that move the clock.
     */
    public int runOnce() throws IOException {
        return dispatch(true);
    }

    private int dispatch(boolean wait) throws IOException {
        int room = cfg.batch() - inFlight.get();
        if (room <= 0 || closed) return 0;
        // The loop claims (a write transaction) only when a row is due; once a minute or so it
        // claims anyway, for rows whose lease expired (a runner of another node died).
        if (!wait && scans++ % 60 != 0) {
            Optional<Instant> due = queue.nextDue();
            if (due.isEmpty() || due.get().isAfter(clock.instant())) return 0;
        }
        List<Entry> claimed = queue.claim(clock.instant(), cfg.lease(), room);
        Map<String, List<Entry>> groups = new LinkedHashMap<>();
        for (Entry e : claimed) groups.computeIfAbsent(e.queueId() + " " + e.recipient().domain() + " "
                + e.forwardedBy().map(a -> a.domain().ascii()).orElse(""), k -> new ArrayList<>()).add(e);
        // An attempt must end within its lease (docs/adr/0011): waiting in a lane or for a slot counts.
        long deadline = System.nanoTime() + cfg.lease().toNanos() / 2;
        // Batching: the groups of one recipient domain wait in one queue, and at most
        // delivery.max_connections_per_domain lanes (one virtual thread each) take them one after
        // the other. So a lane's next message finds the connection its last one left in the
        // ConnectionCache (RSET instead of TCP, greeting, EHLO and TLS again), no more threads wait
        // for a domain's slots than it has slots, and a lane that is done early takes more work.
        Map<Domain, java.util.Queue<List<Entry>>> byDomain = new LinkedHashMap<>();
        for (List<Entry> g : groups.values()) {
            inFlight.addAndGet(g.size());
            byDomain.computeIfAbsent(g.getFirst().recipient().domain(), k -> new java.util.concurrent.ConcurrentLinkedQueue<>())
                    .add(g);
        }
        List<Future<?>> started = new ArrayList<>();
        for (java.util.Queue<List<Entry>> q : byDomain.values()) {
            int lanes = Math.min(cfg.maxPerDomain(), q.size());
            for (int i = 0; i < lanes; i++) started.add(workers.submit(() -> runLane(q, deadline)));
        }
        if (wait) {
            for (Future<?> f : started) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    // logged by the task
                }
            }
        }
        return claimed.size();
    }

    /** Takes groups of one domain until none is left (the queue only shrinks: the loop ends). */
    private void runLane(java.util.Queue<List<Entry>> groups, long deadline) {
        for (List<Entry> g = groups.poll(); g != null; g = groups.poll()) {
            try {
                // Closing: the rest stays 'sending' and is re-queued at the next start, as any group in flight.
                if (!closed && !Thread.currentThread().isInterrupted()) deliverGroup(g, deadline);
            } catch (RuntimeException e) {
                // The rows stay 'sending' until their lease ends or the next start: never lost.
                audit.internal(Event.DELIVERY_FAILED_UNEXPECTEDLY, e);
            } finally {
                inFlight.addAndGet(-g.size());
            }
        }
    }

    /** One message to one domain, within the sending rates and the connection limits. */
    private void deliverGroup(List<Entry> rows, long deadline) {
        Domain domain = rows.getFirst().recipient().domain();
        if (held(rows, domain)) return;
        try {
            global.acquire();
            try {
                perDomain.acquire(domain);
                try {
                    if (System.nanoTime() - deadline > 0) requeue(rows);
                    else sender.attempt(domain, rows, deadline, results -> recorder.finish(rows, results));
                } finally {
                    perDomain.release(domain);
                }
            } finally {
                global.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A group that waited half its lease (a slow destination ahead of it in its lane) is not
     * attempted: it goes back to the queue, due now, attempts unchanged, before another runner
     * could claim it as abandoned and send it a second time.
     */
    private void requeue(List<Entry> rows) {
        try {
            for (Entry row : rows) queue.postpone(row.queueId(), row.recipient(), clock.instant(),
                    "not attempted within half of delivery.lease; queued again");
        } catch (IOException e) {
            audit.internal(Event.DELIVERY_QUEUE_UPDATE_FAILED, e); // the rows stay leased; retried after the lease
        }
        audit.event(Event.DELIVERY_REQUEUED, Map.of("queue_id", rows.getFirst().queueId(), "recipients", rows.size()));
    }

    /** Holds the group in the queue when a sending rate is used up; true when it did. */
    private boolean held(List<Entry> rows, Domain domain) {
        Entry first = rows.getFirst();
        List<SendRate.Key> keys = new ArrayList<>();
        keys.add(new SendRate.Key(domainLimit, domain.ascii()));
        first.authUser().ifPresent(u -> keys.add(new SendRate.Key(userLimit, u.key())));
        Optional<Instant> until = rates.tryAcquire(keys, rows.size(), clock.instant());
        if (until.isEmpty()) return false;
        String note = "held: sending rate limit (delivery.user_rate / delivery.domain_rate) until " + until.get();
        try {
            for (Entry row : rows) queue.postpone(row.queueId(), row.recipient(), until.get(), note);
        } catch (IOException e) {
            audit.internal(Event.DELIVERY_QUEUE_UPDATE_FAILED, e); // the rows stay leased; retried after the lease
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue_id", first.queueId());
        m.put("recipients", rows.size());
        m.put("domain", domain.ascii());
        first.authUser().ifPresent(u -> m.put("auth_user", u.toString()));
        m.put("until", until.get().toString());
        audit.event(Event.DELIVERY_RATE_HELD, m);
        return true;
    }

    /** Stops scanning; groups in flight finish or are abandoned (their rows are re-queued at the next start). */
    @Override
    public void close() {
        closed = true;
        wake();
        if (loop != null) {
            try {
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cache.close(); // QUIT to the idle connections; before the watchdog goes (their expiry timers run on it)
        watchdog.shutdownNow();
        tlsRpt.ifPresent(TlsRpt::save);
    }
}
