package moat.server.imap;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import moat.core.EmailAddress;
import moat.core.Event;
import moat.core.PeerText;
import moat.core.Reason;
import moat.protocol.imap.ImapBackend;
import moat.server.audit.AuditLog;
import moat.server.limits.LoginGate;
import moat.server.quota.StorageQuota;
import moat.store.Directory;
import moat.store.Mailboxes;
import moat.store.StoreException;

/** {@link ImapBackend} over the store: Directory for logins, Mailboxes for everything else. */
public final class StoreBackend implements ImapBackend {
    private final Directory directory;
    private final Mailboxes mailboxes;
    private final LoginGate gate;
    private final Clock clock;
    private final int maxPerUser;
    private final StorageQuota quota;
    private final AuditLog audit;
    private final Map<String, AtomicInteger> sessions = new ConcurrentHashMap<>();

    public StoreBackend(Directory directory, Mailboxes mailboxes, LoginGate gate, Clock clock, int maxPerUser,
                        StorageQuota quota, AuditLog audit) {
        this.quota = quota;
        this.audit = audit;
        this.directory = directory;
        this.mailboxes = mailboxes;
        this.gate = gate;
        this.clock = clock;
        this.maxPerUser = maxPerUser;
        // ENVELOPE/BODYSTRUCTURE/header-search summaries are made when a message is stored, in
        // the background (docs/adr/0017-summaries-at-arrival.md), not at the first FETCH
        mailboxes.summarizeArrivals(StoreBackend::summarize);
    }

    /** The IMAP summary of a message, in the store's opaque form. */
    static Mailboxes.Summary summarize(byte[] message) {
        Summary s = Summary.of(message);
        return new Mailboxes.Summary(s.format(), s.envelope(), s.body(), s.bodyStructure(), s.header(), s.fields());
    }

    @Override
    public LoginResult login(Peer peer, String username, char[] password) {
        InetAddress client = peer.client().getAddress();
        if (!gate.permits(client, username)) {
            audit(Event.IMAP_LOGIN_FAILED, peer, "username", PeerText.line(username, PeerText.WORD_MAX), "reason", Reason.AUTH_LOCKED.id());
            // Same words whether the account exists or not, and no hint about the lockout's scope.
            return new LoginResult.Refused("[UNAVAILABLE] Temporary authentication failure, try again later");
        }
        Optional<EmailAddress> user = directory.authenticate(username, password);
        if (user.isEmpty()) {
            gate.failed(client, username);
            audit(Event.IMAP_LOGIN_FAILED, peer, "username", PeerText.line(username, PeerText.WORD_MAX), "reason", Reason.AUTH_FAILED.id());
            return new LoginResult.Failure();
        }
        gate.succeeded(client, user.get().toString());
        AtomicInteger n = sessions.computeIfAbsent(user.get().key(), k -> new AtomicInteger());
        if (n.incrementAndGet() > maxPerUser) {
            n.decrementAndGet();
            audit(Event.IMAP_LOGIN_FAILED, peer, "username", PeerText.line(username, PeerText.WORD_MAX), "reason", Reason.SESSIONS_PER_USER.id());
            return new LoginResult.Refused(Reason.SESSIONS_PER_USER.text());
        }
        audit(Event.IMAP_LOGIN, peer, "user", user.get().toString(), "sessions", n.get());
        return new LoginResult.Success(user.get());
    }

    /**
     * imap.* audit lines: flat fields like pop3.* (session id, client, TLS version and cipher),
     * never a password.
     */
    private void audit(Event event, Peer peer, String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", peer.sessionId());
        m.put("client_ip", peer.client().getAddress().getHostAddress());
        m.put("client_port", peer.client().getPort());
        peer.tls().ifPresent(t -> {
            m.put("tls_version", t.version());
            m.put("tls_cipher", t.cipher());
        });
        m.put(k1, v1);
        m.put(k2, v2);
        audit.event(event, m);
    }

    @Override
    public void logout(Peer peer, EmailAddress user) {
        AtomicInteger n = sessions.get(user.key());
        int left = n == null ? 0 : n.decrementAndGet();
        audit(Event.IMAP_LOGOUT, peer, "user", user.toString(), "sessions", left);
    }

    private static MailboxInfo info(Mailboxes.Mailbox m) {
        return new MailboxInfo(m.id(), m.name(), m.uidValidity(), m.uidNext(), m.highestModseq(), m.specialUse(),
                m.subscribed(), m.messages(), m.unseen(), m.size());
    }

    private static MessageInfo info(Mailboxes.Message m) {
        return new MessageInfo(m.uid(), m.flags(), m.modseq(), m.size(), m.internalDate());
    }

    private static Change change(Mailboxes.Outcome o) {
        return switch (o) {
            case Mailboxes.Outcome.Done d -> Change.DONE;
            case Mailboxes.Outcome.NotFound n -> Change.NOT_FOUND;
            case Mailboxes.Outcome.AlreadyExists a -> Change.ALREADY_EXISTS;
            case Mailboxes.Outcome.Refused r -> Change.REFUSED;
        };
    }

    @Override
    public List<MailboxInfo> list(EmailAddress user) {
        return mailboxes.list(user).stream().map(StoreBackend::info).toList();
    }

    @Override
    public Optional<MailboxInfo> find(EmailAddress user, String name) {
        return mailboxes.find(user, name).map(StoreBackend::info);
    }

    @Override
    public Change create(EmailAddress user, String name) {
        return change(mailboxes.create(user, name));
    }

    @Override
    public Change delete(EmailAddress user, String name) {
        return change(mailboxes.delete(user, name));
    }

    @Override
    public Change rename(EmailAddress user, String from, String to) {
        return change(mailboxes.rename(user, from, to));
    }

    @Override
    public Change subscribe(EmailAddress user, String name, boolean subscribed) {
        return change(mailboxes.subscribe(user, name, subscribed));
    }

    @Override
    public Optional<Selection> select(long mailboxId) {
        return mailboxes.uidMap(mailboxId).map(m -> new Selection(info(m.mailbox()), m.uids()));
    }

    @Override
    public Optional<MailboxInfo> scan(long mailboxId, RowVisitor visitor) {
        return mailboxes.scan(mailboxId, true, visitor::row).map(StoreBackend::info);
    }

    @Override
    public Optional<MailboxInfo> scanFlags(long mailboxId, RowVisitor visitor) {
        return mailboxes.scan(mailboxId, false, visitor::row).map(StoreBackend::info);
    }

    @Override
    public Optional<Snapshot> changesSince(long mailboxId, long modseq) {
        return mailboxes.changesSince(mailboxId, modseq).map(s -> new Snapshot(info(s.mailbox()),
                s.messages().stream().map(StoreBackend::info).toList()));
    }

    @Override
    public OptionalLong highestModseq(long mailboxId) {
        return mailboxes.highestModseq(mailboxId);
    }

    @Override
    public byte[] read(long mailboxId, long uid) throws IOException {
        try (InputStream in = mailboxes.open(mailboxId, uid)) {
            return in.readAllBytes();
        }
    }

    @Override
    public Map<Long, Summary> summaries(long mailboxId, Collection<Long> uids) {
        Map<Long, Summary> out = new HashMap<>();
        mailboxes.summaries(mailboxId, uids).forEach((uid, s) ->
                out.put(uid, new Summary(s.format(), s.envelope(), s.body(), s.bodyStructure(), s.header(), s.fields())));
        return out;
    }

    @Override
    public Map<Long, HeaderFields> headerFields(long mailboxId, Collection<Long> uids, List<byte[]> anyOf) {
        Map<Long, HeaderFields> out = new HashMap<>();
        mailboxes.headerFields(mailboxId, uids, anyOf).forEach((uid, f) -> out.put(uid, new HeaderFields(f.format(), f.fields())));
        return out;
    }

    @Override
    public void saveSummaries(long mailboxId, Map<Long, Summary> byUid) {
        Map<Long, Mailboxes.Summary> in = new HashMap<>();
        byUid.forEach((uid, s) ->
                in.put(uid, new Mailboxes.Summary(s.format(), s.envelope(), s.body(), s.bodyStructure(), s.header(),
                        s.fields())));
        try {
            mailboxes.saveSummaries(mailboxId, in);
        } catch (StoreException e) {
            // a cache: the next FETCH parses again
        }
    }

    @Override
    public List<MessageInfo> store(long mailboxId, Set<Long> uids, FlagMode mode, Set<String> flags,
                                   OptionalLong unchangedSince) {
        Mailboxes.FlagMode m = switch (mode) {
            case ADD -> Mailboxes.FlagMode.ADD;
            case REMOVE -> Mailboxes.FlagMode.REMOVE;
            case REPLACE -> Mailboxes.FlagMode.REPLACE;
        };
        return mailboxes.store(mailboxId, uids, m, flags, unchangedSince).stream().map(StoreBackend::info).toList();
    }

    @Override
    public List<Long> expunge(long mailboxId, Optional<Set<Long>> uids) {
        return mailboxes.expunge(mailboxId, uids);
    }

    @Override
    public CopyResult copy(long from, Set<Long> uids, long to, boolean move) {
        Mailboxes.CopyResult r = mailboxes.copy(from, uids, to, move);
        return new CopyResult(r.uidValidity(), r.sourceUids(), r.destinationUids());
    }

    @Override
    public AppendResult append(long mailboxId, byte[] message, Set<String> flags, Instant internalDate)
            throws IOException {
        Mailboxes.AppendResult r = mailboxes.append(mailboxId, message, flags, internalDate);
        return new AppendResult(r.uidValidity(), r.uid());
    }

    @Override
    public AutoCloseable watch(long mailboxId, Runnable onChange) {
        return mailboxes.watch(mailboxId, onChange);
    }

    @Override
    public QuotaStatus quota(EmailAddress user) {
        StorageQuota.Status s = quota.status(user);
        return new QuotaStatus(s.usage(), s.limit());
    }

    @Override
    public Instant now() {
        return clock.instant();
    }
}
