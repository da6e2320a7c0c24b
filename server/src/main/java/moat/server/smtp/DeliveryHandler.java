package moat.server.smtp;

import java.io.IOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.concurrent.ConcurrentHashMap;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.core.Reply;
import moat.policy.CheckState;
import moat.policy.Policy;
import moat.policy.Verdict;
import moat.protocol.smtp.SessionInfo;
import moat.protocol.smtp.SmtpHandler;
import moat.server.audit.AuditLog;
import moat.server.content.ContentStage;
import moat.server.limits.AuthThrottle;
import moat.server.mailauth.Ending;
import moat.server.mailauth.MailAuth;
import moat.server.mailauth.StagedSink;
import moat.store.Directory;
import moat.store.Directory.Resolution;
import moat.store.MailStore;

/**
 * The server side of every SMTP session: relay control and recipient checks at RCPT, sender
 * ownership on submission, the Received header, the content checks at end of data (after mail
 * authentication, docs/adr/0019), durable commit, and the audit log.
 * Everything that can refuse a message refuses it here, during the dialogue, so Moat never has to
 * bounce (no backscatter).
 */
public final class DeliveryHandler implements SmtpHandler {
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The date of the last Received field: formatting it is the costly part and it changes once a second. */
    private record Stamp(long second, String text) {}

    private volatile Stamp lastStamp = new Stamp(Long.MIN_VALUE, "");
    private final String hostname;
    private final Directory directory;
    private final MailStore store;
    private final RelayPolicy relay;
    private final AuditLog audit;
    private final Clock clock;
    private final AuthThrottle throttle;
    private final Policy policy;
    /** True for a local user with no storage left (moat.server.quota): RCPT gets 452 4.2.2. */
    private final Predicate<EmailAddress> mailboxFull;
    /** Policy state of each live port-25 session, by session id; removed in {@link #disconnected}. */
    private final Map<String, CheckState> perimeter = new ConcurrentHashMap<>();
    private final MailAuth mailAuth;
    private final ContentStage content;
    /** SPF/DKIM/DMARC fields of the transaction that just ended, for its smtp.transaction event. */
    private final Map<String, Map<String, Object>> authFields = new ConcurrentHashMap<>();

    /**
     * {@code throttle} guards AUTH (lockout, back-off); {@code policy} runs on port 25 at connect,
     * HELO, MAIL and RCPT, after the relay and recipient rules.
     */
    public DeliveryHandler(String hostname, Directory directory, MailStore store, RelayPolicy relay, AuditLog audit,
                           Clock clock, AuthThrottle throttle, Policy policy, MailAuth mailAuth,
                           Predicate<EmailAddress> mailboxFull, ContentStage content) {
        this.content = content;
        this.mailAuth = mailAuth;
        this.mailboxFull = mailboxFull;
        this.throttle = throttle;
        this.hostname = hostname;
        this.directory = directory;
        this.store = store;
        this.relay = relay;
        this.audit = audit;
        this.clock = clock;
        this.policy = policy;
    }

    /** Logs the connection and runs the connect-stage policy; a reply here replaces the greeting (then close). */
    Optional<Reply> connected(SessionInfo s) {
        audit.connect(s);
        if (s.listener().isSubmission()) return Optional.empty(); // submission: authentication is the gate
        CheckState state = new CheckState(s.client().getAddress());
        // Trusted networks may relay; judging their reputation would make no sense.
        if (relay.isTrusted(s.client().getAddress())) state.trustConnection("trusted network");
        perimeter.put(s.sessionId(), state);
        Optional<Reply> refused = judge(s, state, policy.connect(state)).map(r -> r.isTransient()
                // RFC 5321 section 3.1/4.2.2: a temporary refusal instead of the greeting is 421, then close.
                ? new Reply(421, r.status(), r.lines(), r.reason()) : r);
        refused.ifPresent(r -> audit.event(s, new AuditEvent.Refused("CONNECT", r)));
        return refused;
    }

    /** The connection is gone: forget its policy state. */
    void disconnected(SessionInfo s) {
        perimeter.remove(s.sessionId());
        authFields.remove(s.sessionId());
    }

    /** The policy state of a port-25 session without authentication; empty when policy does not apply. */
    private Optional<CheckState> perimeterState(SessionInfo s) {
        if (s.listener().isSubmission() || s.authUser().isPresent()) return Optional.empty();
        return Optional.ofNullable(perimeter.get(s.sessionId()));
    }

    @Override
    public Optional<Reply> helo(SessionInfo session, String name) {
        Optional<CheckState> state = perimeterState(session);
        if (state.isEmpty()) return Optional.empty();
        state.get().helo(name);
        return judge(session, state.get(), policy.helo(state.get()));
    }

    @Override
    public AuthResult authenticate(SessionInfo session, String username, char[] password) {
        // docs/adr/0005-auth-lockout.md: while locked the password is never looked at, so the
        // reply cannot tell a right guess from a wrong one.
        try {
            return switch (throttle.attempt(session.client().getAddress(), username,
                    () -> directory.authenticate(username, password))) {
                case AuthThrottle.Login.Success<EmailAddress> s -> new AuthResult.Success(s.user());
                case AuthThrottle.Login.Failure<EmailAddress> f -> new AuthResult.Failure();
                case AuthThrottle.Login.Locked<EmailAddress> l -> new AuthResult.TemporaryFailure();
            };
        } catch (RuntimeException e) {
            return new AuthResult.TemporaryFailure();
        }
    }

    @Override
    public Optional<Reply> mailFrom(SessionInfo session, Optional<EmailAddress> sender) {
        if (session.listener().isSubmission()) {
            EmailAddress user = session.authUser().orElseThrow();
            if (sender.isEmpty() || !directory.owns(user, sender.get())) return Optional.of(Reply.of(Reason.SENDER_NOT_OWNED));
        }
        Optional<CheckState> state = perimeterState(session);
        if (state.isEmpty()) return Optional.empty();
        state.get().newTransaction(sender);
        return judge(session, state.get(), policy.mailFrom(state.get()));
    }

    @Override
    public Optional<Reply> rcptTo(SessionInfo session, Optional<EmailAddress> sender, EmailAddress rcpt) {
        Optional<Reply> refused = relayAndRecipient(session, rcpt);
        if (refused.isPresent()) return refused;
        Optional<CheckState> state = perimeterState(session);
        if (state.isEmpty()) return Optional.empty();
        return judge(session, state.get(), policy.rcptTo(state.get(), rcpt));
    }

    /** Logs what the checks scored (refusals are logged by the session with their reason) and gives the reply. */
    private Optional<Reply> judge(SessionInfo s, CheckState state, Verdict v) {
        for (CheckState.Finding f : state.drainNewFindings()) {
            audit.policyScore(s, f.check(), f.score().reason(), f.score().points(), state.score(), f.score().detail());
        }
        return Policy.reply(v);
    }

    private Optional<Reply> relayAndRecipient(SessionInfo session, EmailAddress rcpt) {
        if (directory.isLocalDomain(rcpt.domain())) {
            Resolution r = directory.resolve(rcpt);
            if (r instanceof Resolution.Unknown) return Optional.of(Reply.of(Reason.RCPT_UNKNOWN));
            // postmaster@/abuse@ with nowhere to go yet (moat.server.postmaster): the sender keeps it
            if (r instanceof Resolution.Deliver d && d.localUsers().isEmpty() && d.remote().isEmpty())
                return Optional.of(Reply.of(Reason.POSTMASTER_UNSET));
            // every target full and nothing to forward: temporary, the sender retries (RFC 3463 4.2.2)
            if (r instanceof Resolution.Deliver d && d.remote().isEmpty() && !d.localUsers().isEmpty()
                    && d.localUsers().stream().allMatch(mailboxFull))
                return Optional.of(Reply.of(Reason.MAILBOX_FULL));
            return Optional.empty();
        }
        // smtp.relay_recipients: an edge relay or backup MX refuses unknown recipients of its relay domains
        // for every client, as the internal server would (better a 550 now than a 5xx later that nobody gets).
        if (relay.isRelayDomain(rcpt.domain()) && !relay.isKnownRelayRecipient(rcpt)) {
            return Optional.of(Reply.of(Reason.RCPT_UNKNOWN));
        }
        boolean mayRelay = session.authUser().isPresent()
                || relay.isRelayDomain(rcpt.domain())
                || relay.isTrusted(session.client().getAddress());
        return mayRelay ? Optional.empty() : Optional.of(Reply.of(Reason.RELAY_DENIED));
    }

    @Override
    public MessageSink beginMessage(SessionInfo session, Transaction t) throws IOException {
        MailStore.Draft draft = store.begin();
        // docs/adr/0009: the Received field is written with the header section, or put on top
        // with Authentication-Results / DKIM-Signature once the body has streamed.
        return mailAuth.sink(session, draft, received(session, t, draft.id()), perimeterState(session));
    }

    @Override
    public Outcome endMessage(SessionInfo session, Transaction t, MessageSink messageSink) {
        StagedSink sink = (StagedSink) messageSink;
        if (sink.failure() != null) {
            sink.discard();
            return new Outcome(Reply.of(Reason.STORE_FAILED), Optional.empty());
        }
        Ending ending;
        try {
            ending = sink.finish();
        } catch (IOException | RuntimeException e) {
            sink.discard();
            audit.internal("mailauth.failed", e);
            return new Outcome(Reply.of(Reason.STORE_FAILED), Optional.empty());
        }
        Map<String, Object> txFields = new LinkedHashMap<>(ending.audit());
        if (!txFields.isEmpty()) authFields.put(session.sessionId(), txFields);
        if (ending instanceof Ending.Refuse r) {
            sink.discard(); // refused before "250": nothing is stored, nobody gets a bounce
            return new Outcome(r.reply(), Optional.empty());
        }
        Ending.Deliver deliver = (Ending.Deliver) ending;
        // The data stage (docs/adr/0019): after mail authentication, before "250".
        ContentStage.Decision decided = content.applies(session)
                ? content.run(session, sink.draft().id(), perimeterState(session).map(CheckState::score).orElse(0),
                        ContentView.of(session, t, deliver, sink, content.scanLimit()))
                : null;
        if (decided != null && !decided.audit().isEmpty()) {
            txFields.putAll(decided.audit());
            authFields.put(session.sessionId(), txFields);
        }
        if (decided instanceof ContentStage.Decision.Refuse r) {
            sink.discard();
            return new Outcome(r.reply(), Optional.empty());
        }
        boolean quarantined = decided instanceof ContentStage.Decision.Deliver d && d.quarantine().isPresent();
        byte[] prefix = decided instanceof ContentStage.Decision.Deliver d && !d.headers().isEmpty()
                ? concat(deliver.prefix(), d.headers().getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                : deliver.prefix();
        Map<String, EmailAddress> local = new LinkedHashMap<>();
        List<EmailAddress> remote = new ArrayList<>();
        // Remote targets of aliases, on port 25: the queue runner ARC-seals them for the alias's
        // domain (docs/adr/0013-arc-forwarding.md). The first alias naming a target wins.
        Map<EmailAddress, EmailAddress> forwardedBy = new LinkedHashMap<>();
        for (EmailAddress rcpt : t.accepted()) {
            if (directory.isLocalDomain(rcpt.domain())) {
                if (directory.resolve(rcpt) instanceof Resolution.Deliver d) {
                    d.localUsers().forEach(u -> local.putIfAbsent(u.key(), u));
                    remote.addAll(d.remote());
                    if (!session.listener().isSubmission()) d.remote().forEach(a -> forwardedBy.putIfAbsent(a, rcpt));
                }
            } else {
                remote.add(rcpt);
            }
        }
        MailStore.Draft draft = sink.draft();
        try {
            if (prefix.length > 0) draft.prepend(prefix);
            draft.out().close();
            if (local.isEmpty() && remote.isEmpty()) throw new IOException("recipients vanished during the transaction");
            // Quarantine: Junk for local users, held queue rows for remote ones (released by an admin).
            String id = store.commit(draft,
                    new MailStore.Delivery(t.sender(), List.copyOf(local.values()), remote, clock.instant(),
                            quarantined ? "Junk" : deliver.mailbox(), session.authUser(), forwardedBy,
                            quarantined && !remote.isEmpty()));
            return new Outcome(Reply.of(250, "2.0.0", "Ok: queued as " + id), Optional.of(id));
        } catch (IOException | RuntimeException e) {
            sink.discard();
            audit.internal("store.commit_failed", e);
            return new Outcome(Reply.of(Reason.STORE_FAILED), Optional.empty());
        }
    }

    @Override
    public void audit(SessionInfo session, AuditEvent event) {
        Map<String, Object> extra = event instanceof AuditEvent.TransactionEnded ? authFields.remove(session.sessionId()) : null;
        audit.event(session, event, extra == null ? Map.of() : extra);
    }

    /**
     * RFC 5321 section 4.4 trace header, with the protocol keyword of RFC 3848 (ESMTPS/ESMTPSA,
     * UTF8SMTP* of RFC 6531) and the TLS details as a comment as RFC 8314 section 7 suggests.
     */
    String received(SessionInfo s, Transaction t, String queueId) {
        String helo = s.helo().map(DeliveryHandler::clean).orElse("unknown");
        String ip = s.client().getAddress().getHostAddress();
        String proto = (t.smtpUtf8() ? "UTF8SMTP" : "ESMTP") + (s.tls().isPresent() ? "S" : "") + (s.authUser().isPresent() ? "A" : "");
        StringBuilder sb = new StringBuilder("Received: from ").append(helo).append(" ([").append(ip.contains(":") ? "IPv6:" + ip : ip).append("])\r\n");
        s.tls().ifPresent(tls -> sb.append("\t(using ").append(tls.protocol()).append(" with cipher ").append(tls.cipherSuite()).append(")\r\n"));
        s.authUser().ifPresent(u -> sb.append("\t(authenticated as ").append(clean(u.toString())).append(")\r\n"));
        sb.append("\tby ").append(hostname).append(" with ").append(proto).append(" id ").append(queueId);
        List<EmailAddress> acc = t.accepted();
        if (acc.size() == 1) sb.append("\r\n\tfor <").append(clean(acc.getFirst().toString())).append(">");
        sb.append(";\r\n\t").append(date(clock.instant())).append("\r\n");
        return sb.toString();
    }

    private String date(java.time.Instant now) {
        Stamp st = lastStamp;
        if (st.second() != now.getEpochSecond()) {
            st = new Stamp(now.getEpochSecond(), DATE.format(now));
            lastStamp = st;
        }
        return st.text();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Keeps client-chosen text from breaking the header's structure. */
    private static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) sb.append(c < 0x21 || c == 0x7f || c == '(' || c == ')' || c == ';' || c == '\\' ? '_' : c);
        return sb.toString();
    }
}
