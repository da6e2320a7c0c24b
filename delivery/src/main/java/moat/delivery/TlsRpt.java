package moat.delivery;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import moat.core.Audit;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.Event;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;
import moat.store.MailStore;

/**
 * SMTP TLS Reporting (RFC 8460): counts, per UTC day and policy domain, the TLS sessions to its MX
 * hosts that succeeded and those that failed with their result type (section 4.3), and once the
 * day is over sends the aggregate report ({@link TlsRptReport}) to the {@code mailto:} addresses of
 * the domain's {@code _smtp._tls} TXT record (section 3) through Moat's own outbound queue.
 *
 * <p>Only deliveries by MX look-up are counted (not the smart host, not {@code delivery.transports}
 * hops: those are our own infrastructure). The policy domain is the recipient domain, for MTA-STS
 * and DANE alike (docs/adr/0021-outbound-tls-state-and-reports.md).
 *
 * <p>Security: at most {@link #MAX_DOMAINS} (day, domain, policy) entries are kept (sessions of
 * further domains are not counted) and {@link #MAX_DETAILS} failure-detail rows each (further
 * failures still count in the summary); a report goes only to the first ten addresses the domain
 * publishes, from {@code delivery.tlsrpt_sender}, with no DSN on failure.
 *
 * <p>Reports are DKIM-signed (section 3: receivers ignore unsigned ones) with every key Moat
 * holds for the domain of {@code delivery.tlsrpt_sender}; with none they go unsigned and the
 * {@code delivery.tlsrpt} audit event says {@code dkim_signed: none}.
 *
 * <p>Counts are kept in {@link TlsRptState} (a file of the data directory) at most a minute
 * behind, so a restart loses at most the last minute.
 *
 * <p>LIMITATION: {@code https:} report URIs are logged as not supported; {@code sending-mta-ip}
 * and {@code receiving-mx-helo} are not reported.
 */
final class TlsRpt {
    static final int MAX_DOMAINS = 10_000;
    static final int MAX_DETAILS = 100;

    /** RFC 8460 section 4.3 result types. */
    enum ResultType {
        STARTTLS_NOT_SUPPORTED, CERTIFICATE_HOST_MISMATCH, CERTIFICATE_EXPIRED, CERTIFICATE_NOT_TRUSTED,
        VALIDATION_FAILURE, TLSA_INVALID, DNSSEC_INVALID, DANE_REQUIRED, STS_POLICY_FETCH_ERROR,
        STS_POLICY_INVALID, STS_WEBPKI_INVALID;

        String token() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        static Optional<ResultType> ofToken(String token) {
            for (ResultType t : values()) if (t.token().equals(token)) return Optional.of(t);
            return Optional.empty();
        }

        static ResultType of(Dane.Failure f) {
            return switch (f) {
                case NO_MATCH -> TLSA_INVALID;
                case CHAIN_INVALID -> CERTIFICATE_NOT_TRUSTED;
                case EXPIRED -> CERTIFICATE_EXPIRED;
                case HOST_MISMATCH -> CERTIFICATE_HOST_MISMATCH;
            };
        }
    }

    /** Section 4.4 "policy": type ("sts", "tlsa", "no-policy-found"), its strings, MX patterns for sts. */
    record Policy(String type, List<String> strings, List<String> mxHosts) {
        Policy {
            strings = List.copyOf(strings);
            mxHosts = List.copyOf(mxHosts);
        }

        static final Policy NONE = new Policy("no-policy-found", List.of(), List.of());

        static Policy sts(MtaStsPolicy p) {
            List<String> lines = new ArrayList<>(List.of("version: STSv1",
                    "mode: " + p.mode().name().toLowerCase(java.util.Locale.ROOT)));
            p.mx().forEach(m -> lines.add("mx: " + m));
            lines.add("max_age: " + p.maxAgeSeconds());
            return new Policy("sts", lines, p.mx());
        }

        static Policy tlsa(List<moat.core.dns.Tlsa> records) {
            return new Policy("tlsa", records.stream().map(t -> t.usage() + " " + t.selector() + " " + t.matchingType()
                    + " " + t.data()).toList(), List.of());
        }
    }

    /** One failure-details row (section 4.4): result type, receiving MX name and address. */
    record Detail(ResultType type, String mxHost, String receivingIp) {}

    /** The counts of one policy of one domain on one day. */
    static final class Counts {
        long success;
        long failure;
        final Map<Detail, Long> details = new LinkedHashMap<>();
    }

    /** One day's counts of one policy of one domain (ASCII). */
    record Key(LocalDate day, String domain, Policy policy) {}

    private final Resolver dns;
    private final Clock clock;
    private final MailStore store;
    private final Audit audit;
    private final EmailAddress sender;
    private final String organization;
    private final String submitter;
    private final List<moat.auth.dkim.DkimSigningKey> keys;
    private final TlsRptState state;
    private final ReentrantLock lock = new ReentrantLock();
    /** Held across snapshot and write, so that files are written in the order of their snapshots. */
    private final ReentrantLock saving = new ReentrantLock();
    private final Map<Key, Counts> counts = new LinkedHashMap<>();
    private boolean dirty; // under lock
    private java.time.Instant lastSave; // under saving

    /** {@code keys}: the DKIM keys of the sender's domain, which sign every report (RFC 8460 section 3). */
    TlsRpt(Resolver dns, Clock clock, MailStore store, Audit audit, EmailAddress sender, String organization,
           String submitter, List<moat.auth.dkim.DkimSigningKey> keys, TlsRptState state) {
        this.keys = List.copyOf(keys);
        this.state = state;
        this.counts.putAll(state.load());
        this.lastSave = clock.instant();
        this.dns = dns;
        this.clock = clock;
        this.store = store;
        this.audit = audit;
        this.sender = sender;
        this.organization = organization;
        this.submitter = submitter;
    }

    /** TLS-RPT (RFC 8460) when {@code delivery.tlsrpt} is on and the sender address is valid. */
    static Optional<TlsRpt> of(DeliverySettings.Values cfg, Resolver dns, Clock clock, MailStore store,
                              Audit audit, String hostname, ArcForwarder arc) {
        DeliverySettings.TlsReporting r = cfg.tlsRpt();
        if (!r.enabled()) return Optional.empty();
        Optional<EmailAddress> sender = EmailAddress.parse(r.sender().isEmpty() ? "tlsrpt-noreply@" + hostname : r.sender());
        if (sender.isEmpty()) {
            audit.event(Event.DELIVERY_TLSRPT, Map.of("result", "disabled", "why", "no valid delivery.tlsrpt_sender"));
            return Optional.empty();
        }
        return Optional.of(new TlsRpt(dns, clock, store, audit, sender.get(),
                r.organization().isEmpty() ? hostname : r.organization(), hostname,
                arc.keys().getOrDefault(sender.get().domain(), List.of()),
                new TlsRptState(r.state(), e -> audit.internal(Event.DELIVERY_TLSRPT_STATE_FAILED, e))));
    }

    /** What TLS-RPT needs to know of an attempt by MX look-up: the recipient domain and its MTA-STS policy. */
    record Scope(Domain domain, Optional<MtaStsPolicy> sts) {
        /** Counts one connection; DANE (a host's validated TLSA records) takes precedence over MTA-STS. */
        void report(Optional<TlsRpt> rpt, Dane.Requirement dane, SmtpTransport.Result r, boolean tlsWanted) {
            if (rpt.isEmpty()) return;
            TlsRpt.Policy p = switch (dane) {
                case Dane.Requirement.Authenticate a -> TlsRpt.Policy.tlsa(a.records());
                case Dane.Requirement.TlsOnly t -> TlsRpt.Policy.tlsa(List.of());
                case Dane.Requirement.None _, Dane.Requirement.TempFail _ ->
                        sts.filter(s -> s.mode() != MtaStsPolicy.Mode.NONE).map(TlsRpt.Policy::sts).orElse(TlsRpt.Policy.NONE);
            };
            rpt.get().session(domain, p, r, tlsWanted);
        }

        /** The TLSA look-up of a DNSSEC-secure MX host failed (section 4.3.2.1 "dnssec-invalid"). */
        void dnssecInvalid(Optional<TlsRpt> rpt, String mxHost) {
            rpt.ifPresent(t -> t.failure(domain, Policy.tlsa(List.of()), ResultType.DNSSEC_INVALID, mxHost, Optional.empty()));
        }
    }

    /**
     * True for a report this class queued: from the report sender, without an authenticated
     * submitter. Such rows are delivered without DANE or MTA-STS enforcement (section 3: "despite
     * any TLS-related failures"). Mail from elsewhere with that envelope sender gets the same
     * treatment, which exposes only what its author wrote.
     */
    boolean isReport(moat.store.OutboundQueue.Entry row) {
        return row.authUser().isEmpty() && row.sender().filter(sender::equals).isPresent();
    }

    /** A successful TLS session with an MX of {@code domain} under {@code policy}. */
    void success(Domain domain, Policy policy) {
        count(domain, policy, Optional.empty());
    }

    /** A failed TLS session (or a session without TLS) with MX {@code mxHost} (empty: none yet) at {@code ip}. */
    void failure(Domain domain, Policy policy, ResultType type, String mxHost, Optional<InetAddress> ip) {
        count(domain, policy, Optional.of(new Detail(type, mxHost, ip.map(InetAddress::getHostAddress).orElse(""))));
    }

    /** An MTA-STS policy of {@code domain} (ASCII) that could not be fetched or parsed (section 4.3.2.2). */
    void policyFailure(String domain, ResultType type) {
        Domain.parse(domain).ifPresent(d -> failure(d, new Policy("sts", List.of(), List.of()), type, "", Optional.empty()));
    }

    /**
     * Counts one connection to an MX of {@code domain}: TLS established (a failure when a policy
     * required a verified peer that did not verify), TLS failed, or no TLS where it was wanted
     * ({@code starttls-not-supported}). A connection that ended before STARTTLS is not a TLS session.
     */
    void session(Domain domain, Policy policy, SmtpTransport.Result r, boolean tlsWanted) {
        SmtpTransport.Facts f = switch (r) {
            case SmtpTransport.Result.Completed c -> c.facts();
            case SmtpTransport.Result.TlsFailed t -> t.facts();
            case SmtpTransport.Result.Failed x -> x.facts();
        };
        if (f.tlsVersion().isPresent()) {
            if (f.tlsFailure().isPresent() && !policy.equals(Policy.NONE)) failure(domain, policy, f.tlsFailure().get(), f.mxHost(), Optional.of(f.ip()));
            else success(domain, policy);
        } else if (f.tlsFailure().isPresent()) {
            failure(domain, policy, f.tlsFailure().get(), f.mxHost(), Optional.of(f.ip()));
        } else if (r instanceof SmtpTransport.Result.Completed && tlsWanted) {
            failure(domain, policy, ResultType.STARTTLS_NOT_SUPPORTED, f.mxHost(), Optional.of(f.ip()));
        }
    }

    private void count(Domain domain, Policy policy, Optional<Detail> failed) {
        Key k = new Key(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC), domain.ascii(), policy);
        lock.lock();
        try {
            Counts c = counts.get(k);
            if (c == null) {
                if (counts.size() >= MAX_DOMAINS) return;
                c = new Counts();
                counts.put(k, c);
            }
            dirty = true;
            if (failed.isEmpty()) {
                c.success++;
            } else {
                c.failure++;
                if (c.details.containsKey(failed.get()) || c.details.size() < MAX_DETAILS) c.details.merge(failed.get(), 1L, Long::sum);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends the reports of every day before today (UTC) and forgets those days. Returns the
     * number of report messages queued. Called by the queue runner's loop; cheap when nothing is due.
     */
    int sendDue() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Map<LocalDate, Map<String, Map<Policy, Counts>>> due = new LinkedHashMap<>();
        lock.lock();
        try {
            // Keys are added in day order: when the first is not due, none is (the loop calls this every scan).
            if (counts.isEmpty() || !counts.keySet().iterator().next().day().isBefore(today)) return 0;
            var it = counts.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (!e.getKey().day().isBefore(today)) continue;
                due.computeIfAbsent(e.getKey().day(), d -> new LinkedHashMap<>())
                        .computeIfAbsent(e.getKey().domain(), d -> new LinkedHashMap<>()).put(e.getKey().policy(), e.getValue());
                it.remove();
                dirty = true;
            }
        } finally {
            lock.unlock();
        }
        if (due.isEmpty()) return 0;
        save(); // before sending: a crash may lose a report but never sends one twice
        int sent = 0;
        for (var day : due.entrySet()) {
            for (var domain : day.getValue().entrySet()) sent += send(day.getKey(), domain.getKey(), domain.getValue());
        }
        return sent;
    }

    /** The queue runner's loop: due reports, and the counts to disk at most once a minute. */
    void tick() {
        sendDue();
        boolean stale;
        saving.lock();
        try {
            stale = !clock.instant().isBefore(lastSave.plusSeconds(60));
        } finally {
            saving.unlock();
        }
        if (stale) save();
    }

    /** Writes the counts when they changed since the last write. */
    void save() {
        saving.lock();
        try {
            Map<Key, Counts> copy = new LinkedHashMap<>();
            lock.lock();
            try {
                if (!dirty) return;
                dirty = false;
                for (var e : counts.entrySet()) {
                    Counts c = new Counts();
                    c.success = e.getValue().success;
                    c.failure = e.getValue().failure;
                    c.details.putAll(e.getValue().details);
                    copy.put(e.getKey(), c);
                }
            } finally {
                lock.unlock();
            }
            state.save(copy);
            lastSave = clock.instant();
        } finally {
            saving.unlock();
        }
    }

    private int send(LocalDate day, String domain, Map<Policy, Counts> policies) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("domain", domain);
        m.put("day", day.toString());
        List<EmailAddress> to = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        Optional<List<String>> rua = rua(domain);
        if (rua.isEmpty()) return 0; // the domain asks for no reports
        for (String uri : rua.get()) {
            if (uri.regionMatches(true, 0, "mailto:", 0, 7)) {
                String addr = java.net.URLDecoder.decode(uri.substring(7).split("\\?")[0], StandardCharsets.UTF_8);
                EmailAddress.parse(addr).ifPresentOrElse(to::add, () -> unsupported.add(uri));
            } else {
                unsupported.add(uri); // https: (section 5.2) is not built
            }
        }
        if (!unsupported.isEmpty()) m.put("not_supported", unsupported);
        if (to.isEmpty()) {
            m.put("result", "no_usable_rua");
            audit.event(Event.DELIVERY_TLSRPT, m);
            return 0;
        }
        TlsRptReport report = new TlsRptReport(organization, submitter, sender, domain, day, policies);
        MailStore.Draft d;
        try {
            d = store.begin();
        } catch (IOException e) {
            audit.internal(Event.DELIVERY_TLSRPT_FAILED, e);
            return 0;
        }
        try {
            byte[] message = report.message(to, clock.instant());
            // Section 3: reports MUST carry a DKIM signature of the reporting domain, without l=.
            StringBuilder signatures = new StringBuilder();
            for (moat.auth.dkim.DkimSigningKey k : keys) signatures.append(new moat.auth.dkim.DkimSigner(k, clock).sign(message));
            m.put("dkim_signed", keys.isEmpty() ? "none" : String.join(" ", keys.stream().map(k -> k.domain() + ":" + k.selector()).toList()));
            d.out().write(signatures.toString().getBytes(StandardCharsets.US_ASCII));
            d.out().write(message);
            d.out().close();
            // No auth user: a report that cannot be delivered produces no DSN (RFC 8460 section 5.3).
            String id = store.commit(d, new MailStore.Delivery(Optional.of(sender), List.of(), to, clock.instant()));
            m.put("result", "queued");
            m.put("queue_id", id);
            m.put("to", to.stream().map(EmailAddress::toString).toList());
            m.put("report_id", report.reportId());
            audit.event(Event.DELIVERY_TLSRPT, m);
            return 1;
        } catch (IOException | RuntimeException e) {
            d.discard();
            audit.internal(Event.DELIVERY_TLSRPT_FAILED, e);
            return 0;
        }
    }

    /** Section 3: exactly one {@code v=TLSRPTv1} record at {@code _smtp._tls.<domain>}; its comma-separated rua URIs. */
    private Optional<List<String>> rua(String domain) {
        if (!(dns.txt("_smtp._tls." + domain) instanceof DnsResult.Answer<List<String>> a)) return Optional.empty();
        return parseRecord(a.records());
    }

    static Optional<List<String>> parseRecord(List<String> txts) {
        List<String> recs = txts.stream().filter(t -> t.matches("(?s)v=TLSRPTv1\\s*(;.*)?")).toList();
        if (recs.size() != 1) return Optional.empty();
        for (String field : recs.getFirst().split(";")) {
            String f = field.trim();
            if (f.startsWith("rua=")) {
                List<String> uris = new ArrayList<>();
                for (String u : f.substring(4).split(",")) if (!u.isBlank() && uris.size() < 10) uris.add(u.trim());
                return uris.isEmpty() ? Optional.empty() : Optional.of(uris);
            }
        }
        return Optional.empty();
    }
}
