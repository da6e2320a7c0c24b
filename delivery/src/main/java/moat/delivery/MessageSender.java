package moat.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import moat.core.Audit;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.Event;
import moat.core.Reason;
import moat.core.Reply;
import moat.core.dns.Resolver;
import moat.protocol.smtpclient.ClientTransaction;
import moat.store.OutboundQueue;
import moat.store.OutboundQueue.Entry;

/**
 * One attempt of one message to one recipient domain: the next hop ({@code delivery.transports},
 * the smart host, or the MX records, RFC 5321 section 5), the domain's MTA-STS policy (RFC 8461),
 * each host's DANE records (RFC 7672), then every host and address in order until one completes a
 * transaction, over a cached connection ({@link ConnectionCache}) when one to the same target is
 * idle. Split from {@link QueueRunner}, which decides when a group is sent and within which limits.
 */
final class MessageSender {
    private final DeliverySettings.Values cfg;
    private final Optional<DeliverySettings.SmartHost> smartHost;
    private final OutboundQueue queue;
    private final MxResolver mx;
    private final SmtpTransport transport;
    private final ConnectionCache cache;
    private final Audit audit;
    private final Resolver dns;
    private final ArcForwarder arc;
    private final Optional<MtaSts> mtaSts;
    private final Optional<TlsRpt> tlsRpt;

    MessageSender(DeliverySettings.Values cfg, Optional<DeliverySettings.SmartHost> smartHost, OutboundQueue queue,
                  MxResolver mx, SmtpTransport transport, ConnectionCache cache, Audit audit, Resolver dns,
                  ArcForwarder arc, Optional<MtaSts> mtaSts, Optional<TlsRpt> tlsRpt) {
        this.cfg = cfg;
        this.smartHost = smartHost;
        this.queue = queue;
        this.mx = mx;
        this.transport = transport;
        this.cache = cache;
        this.audit = audit;
        this.dns = dns;
        this.arc = arc;
        this.mtaSts = mtaSts;
        this.tlsRpt = tlsRpt;
    }

    /**
     * How one attempt connects: through the smart host or not, to which port, with DANE look-ups
     * or not; {@code nextHop} names the destination for the connection cache (the recipient
     * domain, the smart host or the configured transport).
     */
    record Via(Optional<DeliverySettings.SmartHost> smart, int port, boolean dane, String nextHop) {}

    /**
     * The result of one recipient in one attempt; {@code connectionUse}: which transaction of its
     * connection it was (1 = a new connection, 0 = no transaction).
     */
    record Attempt(Reply reply, String mxHost, boolean fromRemote, Optional<SmtpTransport.Facts> facts, int connectionUse) {
        Attempt(Reply reply, String mxHost, boolean fromRemote, Optional<SmtpTransport.Facts> facts) {
            this(reply, mxHost, fromRemote, facts, 0);
        }
    }

    /**
     * Runs one attempt of one message to one domain; {@code finisher} gets the results exactly
     * once (before anything else is said on the connection when a server answered). No new
     * connection is opened after {@code deadline} ({@link System#nanoTime}).
     */
    void attempt(Domain domain, List<Entry> rows, long deadline, Consumer<Map<EmailAddress, Attempt>> finisher) {
        Entry first = rows.getFirst();
        List<EmailAddress> rcpts = rows.stream().map(Entry::recipient).toList();
        BodyInfo info;
        try (InputStream in = queue.openBody(first.bodyId())) {
            info = BodyInfo.read(in);
        } catch (IOException e) {
            audit.internal(Event.DELIVERY_BODY_UNREADABLE, e);
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
        Via via = hop.isPresent() ? new Via(Optional.empty(), hop.get().portOr(cfg.port()), false, "transport " + hop.get())
                : smartHost.isPresent() ? new Via(smartHost, cfg.port(), false, "relay " + smartHost.get().host())
                : new Via(smartHost, cfg.port(), !tlsReport, "mx " + domain.ascii());
        MxResolver.Route route = hop.isPresent() ? Transports.route(mx, hop.get())
                : smartHost.isPresent() ? mx.resolveHost(smartHost.get().host()) : mx.resolve(domain);
        // RFC 8461 section 5: with an enforced policy only listed MX hosts, only over verified TLS.
        // A configured next hop is our own (internal) server: the domain's public policy does not apply.
        Optional<MtaStsPolicy> sts = route instanceof MxResolver.Route.Hosts && hop.isEmpty() && !tlsReport
                ? mtaSts.flatMap(m -> m.policyFor(domain)) : Optional.empty();
        boolean enforce = sts.isPresent() && sts.get().mode() == MtaStsPolicy.Mode.ENFORCE;
        if (sts.isPresent() && sts.get().mode() != MtaStsPolicy.Mode.NONE) {
            audit.event(Event.DELIVERY_MTA_STS, Map.of("queue_id", first.queueId(), "domain", domain.ascii(),
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
                    Reason.DELIVERY_DNS_TEMPFAIL.text() + ": " + ResultRecorder.clean(t.why())));
            case MxResolver.Route.Hosts h -> tryHosts(first.queueId(), via, h.hosts(), msg, body, enforce, deadline,
                    finisher, new TlsRpt.Scope(domain, sts));
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
            m.put("not_sealed", "error: " + ResultRecorder.clean(String.valueOf(e.getMessage())));
        }
        audit.event(Event.DELIVERY_ARC, m);
        return out;
    }

    /**
     * RFC 5321 section 5.1: every MX host and every address, in order, until one completes a
     * transaction (its results go to {@code finisher} before QUIT; null is returned then).
     * Returns the "unreachable" results when none did.
     */
    private Map<EmailAddress, Attempt> tryHosts(String queueId, Via via, List<MxResolver.Host> hosts, ClientTransaction.Message msg,
                                                SmtpTransport.Body body, boolean stsEnforce, long deadline,
                                                Consumer<Map<EmailAddress, Attempt>> finisher, TlsRpt.Scope scope) {
        // deadline (System.nanoTime): half the lease after the claim; never outlive the lease
        String lastError = "no address tried";
        String lastHost = "";
        for (MxResolver.Host host : hosts) {
            // RFC 7672: DANE (validated TLSA) decides TLS for this host and takes precedence over MTA-STS.
            Dane.Requirement dane = !via.dane() ? new Dane.Requirement.None() : Dane.lookup(dns, host, via.port());
            if (dane instanceof Dane.Requirement.TempFail t) {
                scope.dnssecInvalid(tlsRpt, host.name());
                lastError = t.why();
                lastHost = host.name();
                audit.event(Event.DELIVERY_CONNECT_FAILED, Map.of("queue_id", queueId, "mx", host.name(), "error", t.why()));
                continue;
            }
            if (!(dane instanceof Dane.Requirement.None)) {
                audit.event(Event.DELIVERY_DANE, Map.of("queue_id", queueId, "mx", host.name(), "requirement",
                        dane instanceof Dane.Requirement.Authenticate ? "authenticate" : "tls_only"));
            }
            for (java.net.InetAddress ip : host.addresses()) {
                if (System.nanoTime() - deadline > 0) break;
                Consumer<SmtpTransport.Result.Completed> done = c -> {
                    Map<EmailAddress, Attempt> out = new LinkedHashMap<>();
                    c.replies().forEach((rcpt, reply) -> out.put(rcpt, new Attempt(reply, host.name(),
                            reply.reason().isEmpty(), Optional.of(c.facts()), c.use())));
                    finisher.accept(out);
                };
                SmtpTransport.Target target = target(via, host.name(), ip, false, stsEnforce, dane);
                SmtpTransport.Result r = send(queueId, via, target, msg, body, done);
                if (via.dane()) scope.report(tlsRpt, dane, r, target.tls() != SmtpTransport.Tls.NONE);
                if (r instanceof SmtpTransport.Result.TlsFailed tf && cfg.plaintextFallback() && via.smart().isEmpty()
                        && !stsEnforce && dane instanceof Dane.Requirement.None) {
                    connectFailed(queueId, tf.facts(), tf.why() + " (retrying without TLS)");
                    r = send(queueId, via, target(via, host.name(), ip, true, false, dane), msg, body, done);
                }
                switch (r) {
                    case SmtpTransport.Result.Completed c -> {
                        return null; // already finished, before QUIT or the next RSET
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
        Reply r = Reply.of(Reason.DELIVERY_UNREACHABLE, Reason.DELIVERY_UNREACHABLE.text() + " (last: " + ResultRecorder.clean(lastError) + ")");
        Map<EmailAddress, Attempt> out = new LinkedHashMap<>();
        for (EmailAddress a : msg.recipients()) out.put(a, new Attempt(r, lastHost, false, Optional.empty()));
        return out;
    }

    /**
     * One transaction to {@code t}: over an idle cached connection when one answers RSET, else a
     * new one; afterwards the connection goes back to the cache (or is closed). A cached
     * connection the peer has closed meanwhile is not a failed attempt: it is dropped and a new
     * one opened. The loop ends: each turn removes one idle connection from the bounded cache.
     */
    private SmtpTransport.Result send(String queueId, Via via, SmtpTransport.Target t, ClientTransaction.Message msg,
                                      SmtpTransport.Body body, Consumer<SmtpTransport.Result.Completed> done) {
        ConnectionCache.Key key = new ConnectionCache.Key(via.nextHop(), t);
        SmtpTransport.Session session = null;
        for (Optional<SmtpTransport.Session> idle = cache.take(key); idle.isPresent(); idle = cache.take(key)) {
            if (idle.get().reset()) {
                session = idle.get();
                break;
            }
            audit.event(Event.DELIVERY_REUSE_STALE, Map.of("queue_id", queueId, "mx", t.host(), "ip", t.ip().getHostAddress(),
                    "transactions", idle.get().transactions()));
        }
        if (session == null) {
            switch (transport.open(t)) {
                case SmtpTransport.Session s -> session = s;
                case SmtpTransport.Result.TlsFailed f -> {
                    return f;
                }
                case SmtpTransport.Result.Failed f -> {
                    return f;
                }
            }
        }
        SmtpTransport.Result r = session.send(msg, body, done);
        if (r instanceof SmtpTransport.Result.Completed) cache.park(key, session);
        else session.quit();
        return r;
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
        audit.event(Event.DELIVERY_CONNECT_FAILED, m);
    }

    private static Map<EmailAddress, Attempt> all(List<EmailAddress> rcpts, Reply r) {
        Map<EmailAddress, Attempt> out = new LinkedHashMap<>();
        for (EmailAddress a : rcpts) out.put(a, new Attempt(r, "", false, Optional.empty()));
        return out;
    }
}
