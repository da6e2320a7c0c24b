package moat.server.delivery;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.random.RandomGenerator;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.core.Reply;
import moat.core.dns.Resolver;
import moat.protocol.smtpclient.ClientTransaction;
import moat.server.audit.AuditLog;
import moat.store.MailStore;
import moat.store.OutboundQueue;
import moat.store.OutboundQueue.Entry;

/**
 * The outbound queue runner. Every {@code delivery.scan_interval} (or at {@link #wake}) it claims
 * the due rows ({@link OutboundQueue#claim}: leased, so no other runner sends them), groups them
 * by message and recipient domain (one SMTP transaction per group), and delivers each group on a
 * virtual thread, within a global and a per-domain connection limit.
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
    private final Optional<DeliverySettings.SmartHost> smartHost;
    private final OutboundQueue queue;
    private final MailStore store;
    private final MxResolver mx;
    private final SmtpTransport transport;
    private final AuditLog audit;
    private final Clock clock;
    private final String hostname;
    private final RandomGenerator random;
    private final Semaphore global;
    private final DomainSlots perDomain;
    private final SendRate rates = new SendRate();
    private final Optional<MtaSts> mtaSts;
    private final Optional<TlsRpt> tlsRpt;
    private final DsnSender dsns;
    private final Resolver dns;
    private final ArcForwarder arc;
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

    public QueueRunner(DeliverySettings.Values cfg, Optional<DeliverySettings.SmartHost> smartHost, OutboundQueue queue,
                       MailStore store, Resolver dns, AuditLog audit, Clock clock, String hostname, RandomGenerator random,
                       ArcForwarder arc) throws IOException {
        this.arc = arc;
        this.cfg = cfg;
        this.smartHost = smartHost;
        this.queue = queue;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.hostname = hostname;
        this.random = random;
        this.mx = new MxResolver(dns, random, cfg.maxMxHosts());
        this.dns = dns;
        this.dsns = new DsnSender(queue, store, audit, hostname);
        this.global = new Semaphore(cfg.maxConnections());
        this.perDomain = new DomainSlots(cfg.maxPerDomain());
        this.userLimit = new SendRate.Limit("user", cfg.userRate(), Duration.ofHours(1));
        this.domainLimit = new SendRate.Limit("domain", cfg.domainRate(), Duration.ofHours(1));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("moat-delivery-watchdog").unstarted(r));
        PeerTrust.Anchors anchors = cfg.tlsCaFile().isPresent() ? PeerTrust.Anchors.withPemFile(cfg.tlsCaFile().get(), clock)
                : PeerTrust.Anchors.jdk(clock);
        this.transport = new SmtpTransport(hostname, cfg.timeouts(), cfg.lease().dividedBy(2), anchors, watchdog);
        this.tlsRpt = TlsRpt.of(cfg, dns, clock, store, audit, hostname, arc);
        this.mtaSts = cfg.mtaSts() && smartHost.isEmpty()
                ? Optional.of(new MtaSts(dns, clock, cfg.mtaStsPort(), anchors, cfg.timeouts().connect(),
                        new MtaStsCache(cfg.mtaStsCache(), e -> audit.internal("delivery.mta_sts_cache_failed", e)),
                        (d, type) -> tlsRpt.ifPresent(r -> r.policyFailure(d, type))))
                : Optional.empty();
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
        if (requeued > 0) audit.event("delivery.recovered", Map.of("rows", requeued));
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
                audit.internal("delivery.scan_failed", e);
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
        List<Future<?>> started = new ArrayList<>();
        for (List<Entry> g : groups.values()) {
            inFlight.addAndGet(g.size());
            started.add(workers.submit(() -> {
                try {
                    deliverGroup(g);
                } catch (RuntimeException e) {
                    // The rows stay 'sending' until their lease ends or the next start: never lost.
                    audit.internal("delivery.failed_unexpectedly", e);
                } finally {
                    inFlight.addAndGet(-g.size());
                }
            }));
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

    /** One message to one domain, within the sending rates and the connection limits. */
    private void deliverGroup(List<Entry> rows) {
        Domain domain = rows.getFirst().recipient().domain();
        if (held(rows, domain)) return;
        try {
            global.acquire();
            try {
                perDomain.acquire(domain);
                try {
                    attempt(domain, rows, results -> finish(rows, results));
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
            audit.internal("delivery.queue_update_failed", e); // the rows stay leased; retried after the lease
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue_id", first.queueId());
        m.put("recipients", rows.size());
        m.put("domain", domain.ascii());
        first.authUser().ifPresent(u -> m.put("auth_user", u.toString()));
        m.put("until", until.get().toString());
        audit.event("delivery.rate_held", m);
        return true;
    }

    /** How one attempt connects: through the smart host or not, to which port, with DANE look-ups or not. */
    record Via(Optional<DeliverySettings.SmartHost> smart, int port, boolean dane) {}

    /** The result of one recipient in one attempt. */
    record Attempt(Reply reply, String mxHost, boolean fromRemote, Optional<SmtpTransport.Facts> facts) {}

    /** Runs one attempt; {@code finisher} gets the results exactly once (before QUIT when a server answered). */
    private void attempt(Domain domain, List<Entry> rows, java.util.function.Consumer<Map<EmailAddress, Attempt>> finisher) {
        Entry first = rows.getFirst();
        List<EmailAddress> rcpts = rows.stream().map(Entry::recipient).toList();
        BodyInfo info;
        try (InputStream in = queue.openBody(first.bodyId())) {
            info = BodyInfo.read(in);
        } catch (IOException e) {
            audit.internal("delivery.body_unreadable", e);
            finisher.accept(all(rcpts, Reply.of(Reason.STORE_FAILED)));
            return;
        }
        boolean utf8 = info.eightBitHeaders() || first.sender().map(a -> !a.isAscii()).orElse(false)
                || rcpts.stream().anyMatch(a -> !a.isAscii());
        SmtpTransport.Body body = () -> queue.openBody(first.bodyId());
        byte[] arcSet = first.forwardedBy().map(alias -> arcSet(first, alias.domain())).orElse(new byte[0]);
        if (arcSet.length > 0) {
            body = () -> new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(arcSet), queue.openBody(first.bodyId()));
        }
        ClientTransaction.Message msg = new ClientTransaction.Message(first.sender(), rcpts, info.size() + arcSet.length,
                info.eightBit(), utf8);
        // delivery.transports first (edge relay, backup MX), then the smart host, then the MX records.
        Optional<Transports.NextHop> hop = cfg.transports().forDomain(domain);
        // RFC 8460 section 3: a TLS report is delivered despite TLS failures (no DANE, no MTA-STS, not counted).
        boolean tlsReport = tlsRpt.isPresent() && tlsRpt.get().isReport(first);
        Via via = hop.isPresent() ? new Via(Optional.empty(), hop.get().portOr(cfg.port()), false)
                : new Via(smartHost, cfg.port(), smartHost.isEmpty() && !tlsReport);
        MxResolver.Route route = hop.isPresent() ? Transports.route(mx, hop.get())
                : smartHost.isPresent() ? mx.resolveHost(smartHost.get().host()) : mx.resolve(domain);
        // RFC 8461 section 5: with an enforced policy only listed MX hosts, only over verified TLS.
        // A configured next hop is our own (internal) server: the domain's public policy does not apply.
        Optional<MtaStsPolicy> sts = route instanceof MxResolver.Route.Hosts && hop.isEmpty() && !tlsReport
                ? mtaSts.flatMap(m -> m.policyFor(domain)) : Optional.empty();
        boolean enforce = sts.isPresent() && sts.get().mode() == MtaStsPolicy.Mode.ENFORCE;
        if (sts.isPresent() && sts.get().mode() != MtaStsPolicy.Mode.NONE) {
            audit.event("delivery.mta_sts", Map.of("queue_id", first.queueId(), "domain", domain.ascii(),
                    "mode", sts.get().mode().name().toLowerCase(java.util.Locale.ROOT), "mx", sts.get().mx()));
        }
        if (enforce && route instanceof MxResolver.Route.Hosts h) {
            List<MxResolver.Host> allowed = h.hosts().stream().filter(x -> sts.get().matches(x.name())).toList();
            route = allowed.isEmpty() ? null : new MxResolver.Route.Hosts(allowed);
            if (route == null) {
                finisher.accept(all(rcpts, Reply.of(Reason.DELIVERY_MTA_STS, Reason.DELIVERY_MTA_STS.text()
                        + " (no MX host matches " + sts.get().mx() + ")")));
                return;
            }
        }
        Map<EmailAddress, Attempt> local = switch (route) {
            case MxResolver.Route.NoDomain n -> all(rcpts, Reply.of(Reason.DELIVERY_NO_DOMAIN));
            case MxResolver.Route.NullMx n -> all(rcpts, Reply.of(Reason.DELIVERY_NULL_MX));
            case MxResolver.Route.NoAddress n -> all(rcpts, Reply.of(Reason.DELIVERY_NO_ADDRESS));
            case MxResolver.Route.TempFail t -> all(rcpts, Reply.of(Reason.DELIVERY_DNS_TEMPFAIL,
                    Reason.DELIVERY_DNS_TEMPFAIL.text() + ": " + clean(t.why())));
            case MxResolver.Route.Hosts h -> tryHosts(first.queueId(), via, h.hosts(), msg, body, enforce, finisher,
                    new TlsRpt.Scope(domain, sts));
        };
        if (local != null) finisher.accept(local);
    }

    /** The ARC set for a message an alias of {@code domain} forwards, or none (logged why). */
    private byte[] arcSet(Entry first, Domain domain) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue_id", first.queueId());
        m.put("domain", domain.ascii());
        byte[] out = new byte[0];
        try (InputStream in = queue.openBody(first.bodyId())) {
            switch (arc.seal(domain, in)) {
                case ArcForwarder.Outcome.Sealed s -> {
                    m.put("selector", s.selector());
                    m.put("cv", s.cv());
                    out = s.prefix();
                }
                case ArcForwarder.Outcome.NotSealed n -> m.put("not_sealed", n.why());
            }
        } catch (IOException | RuntimeException e) {
            m.put("not_sealed", "error: " + clean(String.valueOf(e.getMessage())));
        }
        audit.event("delivery.arc", m);
        return out;
    }

    /**
     * RFC 5321 section 5.1: every MX host and every address, in order, until one completes a
     * transaction (its results go to {@code finisher} before QUIT; null is returned then).
     * Returns the "unreachable" results when none did.
     */
    private Map<EmailAddress, Attempt> tryHosts(String queueId, Via via, List<MxResolver.Host> hosts, ClientTransaction.Message msg,
                                                SmtpTransport.Body body, boolean stsEnforce,
                                                java.util.function.Consumer<Map<EmailAddress, Attempt>> finisher,
                                                TlsRpt.Scope scope) {
        long deadline = System.nanoTime() + cfg.lease().toNanos() / 2; // never outlive the lease
        String lastError = "no address tried";
        String lastHost = "";
        for (MxResolver.Host host : hosts) {
            // RFC 7672: DANE (validated TLSA) decides TLS for this host and takes precedence over MTA-STS.
            Dane.Requirement dane = !via.dane() ? new Dane.Requirement.None() : Dane.lookup(dns, host, via.port());
            if (dane instanceof Dane.Requirement.TempFail t) {
                scope.dnssecInvalid(tlsRpt, host.name());
                lastError = t.why();
                lastHost = host.name();
                audit.event("delivery.connect_failed", Map.of("queue_id", queueId, "mx", host.name(), "error", t.why()));
                continue;
            }
            if (!(dane instanceof Dane.Requirement.None)) {
                audit.event("delivery.dane", Map.of("queue_id", queueId, "mx", host.name(), "requirement",
                        dane instanceof Dane.Requirement.Authenticate ? "authenticate" : "tls_only"));
            }
            for (java.net.InetAddress ip : host.addresses()) {
                if (System.nanoTime() - deadline > 0) break;
                java.util.function.Consumer<SmtpTransport.Result.Completed> done = c -> {
                    Map<EmailAddress, Attempt> out = new LinkedHashMap<>();
                    c.replies().forEach((rcpt, reply) -> out.put(rcpt, new Attempt(reply, host.name(),
                            reply.reason().isEmpty(), Optional.of(c.facts()))));
                    finisher.accept(out);
                };
                SmtpTransport.Target target = target(via, host.name(), ip, false, stsEnforce, dane);
                SmtpTransport.Result r = transport.deliver(target, msg, body, done);
                if (via.dane()) scope.report(tlsRpt, dane, r, target.tls() != SmtpTransport.Tls.NONE);
                if (r instanceof SmtpTransport.Result.TlsFailed tf && cfg.plaintextFallback() && via.smart().isEmpty()
                        && !stsEnforce && dane instanceof Dane.Requirement.None) {
                    connectFailed(queueId, tf.facts(), tf.why() + " (retrying without TLS)");
                    r = transport.deliver(target(via, host.name(), ip, true, false, dane), msg, body, done);
                }
                switch (r) {
                    case SmtpTransport.Result.Completed c -> {
                        return null; // already finished, before QUIT
                    }
                    case SmtpTransport.Result.Failed f -> {
                        connectFailed(queueId, f.facts(), f.why());
                        lastError = f.why();
                    }
                    case SmtpTransport.Result.TlsFailed f -> {
                        connectFailed(queueId, f.facts(), f.why());
                        lastError = f.why();
                    }
                }
                lastHost = host.name();
            }
        }
        Reply r = Reply.of(Reason.DELIVERY_UNREACHABLE, Reason.DELIVERY_UNREACHABLE.text() + " (last: " + clean(lastError) + ")");
        Map<EmailAddress, Attempt> out = new LinkedHashMap<>();
        for (EmailAddress a : msg.recipients()) out.put(a, new Attempt(r, lastHost, false, Optional.empty()));
        return out;
    }

    /** An MX (opportunistic TLS, or none for the plaintext retry) or the smart host (TLS required, maybe AUTH). */
    private SmtpTransport.Target target(Via via, String host, java.net.InetAddress ip, boolean plaintextRetry,
                                        boolean stsEnforce, Dane.Requirement dane) {
        if (via.smart().isPresent()) {
            DeliverySettings.SmartHost sh = via.smart().get();
            SmtpTransport.Tls tls = !sh.requireTls() ? SmtpTransport.Tls.OPPORTUNISTIC
                    : sh.requireVerified() ? SmtpTransport.Tls.REQUIRE_VERIFIED : SmtpTransport.Tls.REQUIRE;
            return new SmtpTransport.Target(host, ip, sh.port(), tls, sh.credentials(), List.of());
        }
        return switch (dane) {
            case Dane.Requirement.Authenticate a -> new SmtpTransport.Target(host, ip, via.port(),
                    SmtpTransport.Tls.REQUIRE_VERIFIED, Optional.empty(), a.records());
            case Dane.Requirement.TlsOnly t -> new SmtpTransport.Target(host, ip, via.port(), SmtpTransport.Tls.REQUIRE,
                    Optional.empty(), List.of());
            case Dane.Requirement.None n -> plain(host, ip, via.port(), plaintextRetry, stsEnforce);
            case Dane.Requirement.TempFail t -> plain(host, ip, via.port(), plaintextRetry, stsEnforce); // never used: skipped before
        };
    }

    /** Without DANE: verified TLS under an enforced MTA-STS policy, else opportunistic (or none for the retry). */
    private SmtpTransport.Target plain(String host, java.net.InetAddress ip, int port, boolean plaintextRetry,
                                       boolean stsEnforce) {
        SmtpTransport.Tls tls = stsEnforce ? SmtpTransport.Tls.REQUIRE_VERIFIED
                : plaintextRetry || !cfg.startTls() ? SmtpTransport.Tls.NONE : SmtpTransport.Tls.OPPORTUNISTIC;
        return new SmtpTransport.Target(host, ip, port, tls, Optional.empty(), List.of());
    }

    private void connectFailed(String queueId, SmtpTransport.Facts f, String why) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue_id", queueId);
        m.put("mx", f.mxHost());
        m.put("ip", f.ip().getHostAddress());
        m.put("error", why);
        audit.event("delivery.connect_failed", m);
    }

    private static Map<EmailAddress, Attempt> all(List<EmailAddress> rcpts, Reply r) {
        Map<EmailAddress, Attempt> out = new LinkedHashMap<>();
        for (EmailAddress a : rcpts) out.put(a, new Attempt(r, "", false, Optional.empty()));
        return out;
    }

    /** Applies the results: remove, defer or fail each row; audit; DSNs to the local submitter. */
    private void finish(List<Entry> rows, Map<EmailAddress, Attempt> results) {
        Instant now = clock.instant();
        Entry first = rows.getFirst();
        List<Dsn.Line> failed = new ArrayList<>();
        List<Dsn.Line> delayed = new ArrayList<>();
        List<Entry> failedRows = new ArrayList<>();
        List<Entry> warnedRows = new ArrayList<>();
        try {
            for (Entry row : rows) {
                Attempt a = results.get(row.recipient());
                if (a == null) a = new Attempt(Reply.of(Reason.DELIVERY_PROTOCOL), "", false, Optional.empty());
                Reply reply = a.reply();
                String result;
                if (reply.isPositive()) {
                    queue.remove(row.queueId(), row.recipient()); // only now: after the remote 250
                    result = "delivered";
                } else if (!reply.isTransient()) {
                    failed.add(line(row, a, reply));
                    failedRows.add(row);
                    result = "failed";
                } else if (!now.isBefore(row.queued().plus(cfg.maxQueueTime()))) {
                    reply = Reply.of(Reason.DELIVERY_EXPIRED, Reason.DELIVERY_EXPIRED.text() + " (last: "
                            + clean(SmtpTransport.text(a.reply())) + ")");
                    failed.add(line(row, a, reply));
                    failedRows.add(row);
                    result = "expired";
                } else {
                    Instant next = now.plus(backoff(row.attempts()));
                    if (!row.warned() && !now.isBefore(row.queued().plus(cfg.warnAfter()))) {
                        delayed.add(line(row, a, reply));
                        warnedRows.add(row);
                    }
                    queue.defer(row.queueId(), row.recipient(), next, SmtpTransport.text(reply));
                    result = "deferred";
                }
                auditAttempt(row, a, reply, result);
            }
            Instant until = first.queued().plus(cfg.maxQueueTime());
            if (!failed.isEmpty()) {
                dsns.send(first, Dsn.Kind.FAILED, failed, now, until);
                for (Entry row : failedRows) queue.remove(row.queueId(), row.recipient());
            }
            if (!delayed.isEmpty()) {
                dsns.send(first, Dsn.Kind.DELAYED, delayed, now, until);
                for (Entry row : warnedRows) queue.markWarned(row.queueId(), row.recipient());
            }
        } catch (IOException e) {
            // The rows not yet updated stay 'sending' and are retried after their lease or a restart.
            audit.internal("delivery.queue_update_failed", e);
        }
    }

    private static Dsn.Line line(Entry row, Attempt a, Reply reply) {
        return new Dsn.Line(row.recipient(), reply, a.mxHost(), a.fromRemote() && reply == a.reply());
    }

    /** Exponential back-off: retry_initial * 2^attempts, capped at retry_max, +-20% jitter. */
    Duration backoff(int attemptsBefore) {
        long base = cfg.retryInitial().toMillis();
        long cap = cfg.retryMax().toMillis();
        long d = attemptsBefore >= 30 ? cap : Math.min(cap, base << attemptsBefore);
        double jitter = 0.8 + 0.4 * random.nextDouble();
        return Duration.ofMillis(Math.max(1, (long) (d * jitter)));
    }

    private void auditAttempt(Entry row, Attempt a, Reply reply, String result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue_id", row.queueId());
        m.put("recipient", row.recipient().toString());
        m.put("attempt", row.attempts() + 1);
        if (!a.mxHost().isEmpty()) m.put("mx", a.mxHost());
        a.facts().ifPresent(f -> {
            m.put("ip", f.ip().getHostAddress());
            m.put("tls", f.tlsVersion().isPresent());
            f.tlsVersion().ifPresent(v -> m.put("tls_version", v));
            f.tlsCipher().ifPresent(c -> m.put("tls_cipher", c));
            m.put("tls_verified", f.peerVerified());
        });
        m.put("code", reply.code());
        reply.status().ifPresent(s -> m.put("status", s.toString()));
        m.put("text", String.join(" / ", reply.lines()));
        reply.reason().ifPresent(r -> m.put("reason", r.id()));
        m.put("result", result);
        audit.event("delivery.attempt", m);
    }

    private static String clean(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
        return sb.length() > 400 ? sb.substring(0, 400) : sb.toString();
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
        watchdog.shutdownNow();
        tlsRpt.ifPresent(TlsRpt::save);
    }
}
