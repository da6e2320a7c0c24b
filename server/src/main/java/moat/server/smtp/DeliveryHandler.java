package moat.server.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import moat.core.EmailAddress;
import moat.core.Event;
import moat.core.PeerText;
import moat.core.Reason;
import moat.core.Reply;
import moat.policy.CheckState;
import moat.policy.Policy;
import moat.policy.Verdict;
import moat.protocol.smtp.SessionInfo;
import moat.protocol.smtp.SmtpHandler;
import moat.protocol.smtp.SmtpHandler.AuthResult;
import moat.protocol.smtp.SmtpHandler.Transaction;
import moat.server.audit.AuditLog;
import moat.server.content.ContentStage;
import moat.server.limits.AuthThrottle;
import moat.server.mailauth.Ending;
import moat.server.mailauth.Folder;
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
 *
 * <p>This object holds what all sessions share (directory, store, policy, relay rules) and opens
 * one {@link Session} per connection, which keeps that connection's state in plain fields.
 */
public final class DeliveryHandler implements SmtpHandler.Factory {
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
    private final MailAuth mailAuth;
    private final ContentStage content;

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

    /** Opens the handler of one connection; its state lives and dies with it. */
    @Override
    public SmtpHandler open() {
        return new Session();
    }

    /**
     * One connection's side of the dialogue. Its state is plain fields: the port-25 policy state
     * and the fields of the transaction that just ended, for its smtp.transaction event.
     */
    private final class Session implements SmtpHandler {
        /** Policy state of a port-25 session; empty on submission (authentication is the gate). */
        private Optional<CheckState> perimeter = Optional.empty();
        /** SPF/DKIM/DMARC and content fields of the transaction that just ended, for its smtp.transaction event. */
        private Map<String, Object> transactionFields = Map.of();
        /** The sink {@link #beginMessage} opened; handed back to {@link #endMessage}. */
        private StagedSink open;

        /** Logs the connection and runs the connect-stage policy; a reply here replaces the greeting (then close). */
        @Override
        public Optional<Reply> connected(SessionInfo s) {
            audit.connect(s);
            if (s.listener().isSubmission()) return Optional.empty(); // submission: authentication is the gate
            CheckState state = new CheckState(s.client().getAddress());
            // Trusted networks may relay; judging their reputation would make no sense.
            if (relay.isTrusted(s.client().getAddress())) state.trustConnection("trusted network");
            perimeter = Optional.of(state);
            Optional<Reply> refused = judge(s, state, policy.connect(state)).map(r -> r.isTransient()
                    // RFC 5321 section 3.1/4.2.2: a temporary refusal instead of the greeting is 421, then close.
                    ? new Reply(421, r.status(), r.lines(), r.reason()) : r);
            refused.ifPresent(r -> audit.event(s, new AuditEvent.Refused("CONNECT", r)));
            return refused;
        }

        /** The policy state of a port-25 session without authentication; empty when policy does not apply. */
        private Optional<CheckState> perimeterState(SessionInfo s) {
            if (s.listener().isSubmission() || s.authUser().isPresent()) return Optional.empty();
            return perimeter;
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
            return DeliveryHandler.this.authenticate(session, username, password);
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

        @Override
        public MessageSink beginMessage(SessionInfo session, Transaction t) throws IOException {
            MailStore.Draft draft = store.begin();
            // docs/adr/0009: the Received field is written with the header section, or put on top
            // with Authentication-Results / DKIM-Signature once the body has streamed.
            open = mailAuth.sink(session, draft, received(session, t, draft.id()), perimeterState(session));
            return open;
        }

        /**
         * End of data, in the order of docs/adr/0019: mail authentication, content checks, the
         * recipients' routes, the durable commit, then the reply. A refusal at any step discards
         * the message before "250": nothing is stored, nobody gets a bounce.
         */
        @Override
        public Outcome endMessage(SessionInfo session, Transaction t, MessageSink given) {
            StagedSink sink = open;
            open = null;
            if (sink != given) throw new IllegalStateException("endMessage without its beginMessage");
            transactionFields = Map.of();
            Ending.Deliver deliver;
            switch (authenticate(sink)) {
                case Ending.Refuse r -> {
                    sink.discard();
                    return new Outcome(r.reply(), Optional.empty());
                }
                case Ending.Deliver d -> deliver = d;
            }
            ContentStage.Decision.Deliver scanned;
            switch (scan(session, t, sink, deliver)) {
                case ContentStage.Decision.Refuse r -> {
                    sink.discard();
                    return new Outcome(r.reply(), Optional.empty());
                }
                case ContentStage.Decision.Deliver d -> scanned = d;
            }
            return reply(commit(session, t, sink, deliver, scanned, route(session, t)));
        }

        /** Step 1: finishes the staged body and runs SPF/DKIM/DMARC (port 25) or DKIM signing (submission). */
        private Ending authenticate(StagedSink sink) {
            if (sink.failure() != null) return new Ending.Refuse(Reply.of(Reason.STORE_FAILED), Map.of());
            Ending ending;
            try {
                ending = sink.finish();
            } catch (IOException | RuntimeException e) {
                audit.internal(Event.MAILAUTH_FAILED, e);
                return new Ending.Refuse(Reply.of(Reason.STORE_FAILED), Map.of());
            }
            record(ending.audit());
            return ending;
        }

        /** Step 2, the data stage (docs/adr/0019): after mail authentication, before "250". */
        private ContentStage.Decision scan(SessionInfo session, Transaction t, StagedSink sink, Ending.Deliver deliver) {
            if (!content.applies(session)) return ContentStage.UNCHECKED;
            ContentStage.Decision decided = content.run(session, sink.draft().id(),
                    perimeterState(session).map(CheckState::score).orElse(0),
                    ContentView.of(session, t, deliver, sink, content.scanLimit()));
            record(decided.audit());
            return decided;
        }

        /**
         * Step 4: the body and its rows durable in one commit. Quarantine: Junk for local users,
         * held queue rows for remote ones (released by an admin).
         */
        private Commit commit(SessionInfo session, Transaction t, StagedSink sink, Ending.Deliver deliver,
                              ContentStage.Decision.Deliver scanned, Route route) {
            boolean quarantined = scanned.quarantine().isPresent();
            Folder folder = quarantined ? Folder.JUNK : deliver.folder();
            byte[] prefix = scanned.headers().isEmpty() ? deliver.prefix()
                    : concat(deliver.prefix(), scanned.headers().getBytes(StandardCharsets.US_ASCII));
            MailStore.Draft draft = sink.draft();
            try {
                if (prefix.length > 0) draft.prepend(prefix);
                draft.out().close();
                if (route.isEmpty()) throw new IOException("recipients vanished during the transaction");
                String id = store.commit(draft,
                        new MailStore.Delivery(t.sender(), List.copyOf(route.local().values()), route.remote(),
                                clock.instant(), folder.mailbox(), session.authUser(), route.forwardedBy(),
                                quarantined && !route.remote().isEmpty()));
                return new Commit.Stored(id);
            } catch (IOException | RuntimeException e) {
                sink.discard();
                audit.internal(Event.STORE_COMMIT_FAILED, e);
                return new Commit.Failed();
            }
        }

        /** Step 5: the end-of-data reply. */
        private static Outcome reply(Commit c) {
            return switch (c) {
                case Commit.Stored s -> new Outcome(Reply.of(250, "2.0.0", "Ok: queued as " + s.queueId()), Optional.of(s.queueId()));
                case Commit.Failed f -> new Outcome(Reply.of(Reason.STORE_FAILED), Optional.empty());
            };
        }

        /** Adds audit fields to the transaction's smtp.transaction event. */
        private void record(Map<String, Object> fields) {
            if (fields.isEmpty()) return;
            Map<String, Object> all = new LinkedHashMap<>(transactionFields);
            all.putAll(fields);
            transactionFields = all;
        }

        @Override
        public void audit(SessionInfo session, AuditEvent event) {
            Map<String, Object> extra = Map.of();
            if (event instanceof AuditEvent.TransactionEnded) {
                extra = transactionFields;
                transactionFields = Map.of();
            }
            audit.event(session, event, extra);
        }
    }

    /** AUTH: the lockout and back-off of docs/adr/0005, then the directory. */
    private AuthResult authenticate(SessionInfo session, String username, char[] password) {
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

    /** The local users (by key, each once) and remote addresses a transaction's recipients resolve to. */
    record Route(Map<String, EmailAddress> local, List<EmailAddress> remote, Map<EmailAddress, EmailAddress> forwardedBy) {
        boolean isEmpty() {
            return local.isEmpty() && remote.isEmpty();
        }
    }

    /** What step 4 of end of data did: the queue id, or a failure already logged. */
    private sealed interface Commit {
        record Stored(String queueId) implements Commit {}

        record Failed() implements Commit {}
    }

    /** Step 3 of end of data: where each accepted recipient goes, resolved again at commit time. */
    private Route route(SessionInfo session, Transaction t) {
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
        return new Route(local, remote, forwardedBy);
    }

    /**
     * RFC 5321 section 4.4 trace header, with the protocol keyword of RFC 3848 (ESMTPS/ESMTPSA,
     * UTF8SMTP* of RFC 6531) and the TLS details as a comment as RFC 8314 section 7 suggests.
     */
    String received(SessionInfo s, Transaction t, String queueId) {
        String helo = s.helo().map(PeerText::headerWord).orElse("unknown");
        String ip = s.client().getAddress().getHostAddress();
        String proto = (t.smtpUtf8() ? "UTF8SMTP" : "ESMTP") + (s.tls().isPresent() ? "S" : "") + (s.authUser().isPresent() ? "A" : "");
        StringBuilder sb = new StringBuilder("Received: from ").append(helo).append(" ([").append(ip.contains(":") ? "IPv6:" + ip : ip).append("])\r\n");
        s.tls().ifPresent(tls -> sb.append("\t(using ").append(tls.protocol()).append(" with cipher ").append(tls.cipherSuite()).append(")\r\n"));
        s.authUser().ifPresent(u -> sb.append("\t(authenticated as ").append(PeerText.headerWord(u.toString())).append(")\r\n"));
        sb.append("\tby ").append(hostname).append(" with ").append(proto).append(" id ").append(queueId);
        List<EmailAddress> acc = t.accepted();
        if (acc.size() == 1) sb.append("\r\n\tfor <").append(PeerText.headerWord(acc.getFirst().toString())).append(">");
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
}
