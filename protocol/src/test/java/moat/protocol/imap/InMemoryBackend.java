package moat.protocol.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import moat.core.EmailAddress;

/**
 * An {@link ImapBackend} in memory for unit tests of {@link ImapSession}: one user
 * ({@link #USER}, password {@link #PASSWORD}) with INBOX and Archive. Not the store: the
 * end-to-end tests in the server module run the session over the real one.
 */
final class InMemoryBackend implements ImapBackend {
    static final String USER = "alice@example.org";
    static final String PASSWORD = "secret";
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    /** One message; flags and modseq change, the octets never do. */
    static final class Message {
        final byte[] octets;
        final Set<String> flags = new LinkedHashSet<>();
        long modseq;

        Message(byte[] octets, long modseq) {
            this.octets = octets;
            this.modseq = modseq;
        }
    }

    static final class Box {
        final long id;
        String name;
        final long uidValidity;
        long uidNext = 1;
        long highestModseq = 1;
        boolean subscribed = true;
        final TreeMap<Long, Message> messages = new TreeMap<>();
        final List<Runnable> watchers = new ArrayList<>();

        Box(long id, String name) {
            this.id = id;
            this.name = name;
            this.uidValidity = 1000 + id;
        }
    }

    private final Map<String, Box> boxes = new TreeMap<>();
    private long nextBoxId = 1;
    /** Summaries saved by FETCH, by mailbox id and UID. */
    final Map<Long, Map<Long, Summary>> savedSummaries = new HashMap<>();
    final List<String> logouts = new ArrayList<>();

    InMemoryBackend() {
        create(null, "INBOX");
        create(null, "Archive");
    }

    Box box(String name) {
        return boxes.get(name);
    }

    /** Delivers a message into a mailbox, as another session or the MTA would: watchers hear of it. */
    long deliver(String mailbox, String message) {
        Box b = boxes.get(mailbox);
        long uid = b.uidNext++;
        b.messages.put(uid, new Message(message.getBytes(StandardCharsets.UTF_8), ++b.highestModseq));
        changed(b);
        return uid;
    }

    private static void changed(Box b) {
        for (Runnable r : List.copyOf(b.watchers)) r.run();
    }

    private Optional<Box> byId(long id) {
        return boxes.values().stream().filter(b -> b.id == id).findFirst();
    }

    private static MailboxInfo info(Box b) {
        long size = 0;
        long unseen = 0;
        for (Message m : b.messages.values()) {
            size += m.octets.length;
            if (!m.flags.contains("\\Seen")) unseen++;
        }
        return new MailboxInfo(b.id, b.name, b.uidValidity, b.uidNext, b.highestModseq,
                b.name.equals("Archive") ? Optional.of("\\Archive") : Optional.empty(), b.subscribed,
                b.messages.size(), unseen, size);
    }

    private static MessageInfo info(long uid, Message m) {
        return new MessageInfo(uid, m.flags, m.modseq, m.octets.length, NOW);
    }

    @Override
    public LoginResult login(Peer peer, String username, char[] password) {
        if (username.equals(USER) && new String(password).equals(PASSWORD))
            return new LoginResult.Success(EmailAddress.of(USER));
        return new LoginResult.Failure();
    }

    @Override
    public void logout(Peer peer, EmailAddress user) {
        logouts.add(user.toString());
    }

    @Override
    public List<MailboxInfo> list(EmailAddress user) {
        return boxes.values().stream().map(InMemoryBackend::info).toList();
    }

    @Override
    public Optional<MailboxInfo> find(EmailAddress user, String name) {
        return Optional.ofNullable(boxes.get(name)).map(InMemoryBackend::info);
    }

    @Override
    public Change create(EmailAddress user, String name) {
        if (boxes.containsKey(name)) return Change.ALREADY_EXISTS;
        boxes.put(name, new Box(nextBoxId++, name));
        return Change.DONE;
    }

    @Override
    public Change delete(EmailAddress user, String name) {
        if (name.equals("INBOX")) return Change.REFUSED;
        return boxes.remove(name) == null ? Change.NOT_FOUND : Change.DONE;
    }

    @Override
    public Change rename(EmailAddress user, String from, String to) {
        if (!boxes.containsKey(from)) return Change.NOT_FOUND;
        if (boxes.containsKey(to)) return Change.ALREADY_EXISTS;
        Box b = boxes.remove(from);
        b.name = to;
        boxes.put(to, b);
        return Change.DONE;
    }

    @Override
    public Change subscribe(EmailAddress user, String name, boolean subscribed) {
        Box b = boxes.get(name);
        if (b == null) return Change.NOT_FOUND;
        b.subscribed = subscribed;
        return Change.DONE;
    }

    @Override
    public Optional<Selection> select(long mailboxId) {
        return byId(mailboxId).map(b -> new Selection(info(b),
                b.messages.keySet().stream().mapToLong(Long::longValue).toArray()));
    }

    @Override
    public Optional<MailboxInfo> scan(long mailboxId, RowVisitor visitor) {
        return byId(mailboxId).map(b -> {
            b.messages.forEach((uid, m) -> visitor.row(uid, String.join(" ", m.flags), m.modseq, m.octets.length,
                    NOW.toEpochMilli()));
            return info(b);
        });
    }

    @Override
    public Optional<MailboxInfo> scanFlags(long mailboxId, RowVisitor visitor) {
        return byId(mailboxId).map(b -> {
            b.messages.forEach((uid, m) -> visitor.row(uid, String.join(" ", m.flags), m.modseq, 0, 0));
            return info(b);
        });
    }

    @Override
    public OptionalLong highestModseq(long mailboxId) {
        return byId(mailboxId).map(b -> OptionalLong.of(b.highestModseq)).orElse(OptionalLong.empty());
    }

    @Override
    public Optional<Snapshot> changesSince(long mailboxId, long modseq) {
        return byId(mailboxId).map(b -> new Snapshot(info(b), b.messages.entrySet().stream()
                .filter(e -> e.getValue().modseq > modseq).map(e -> info(e.getKey(), e.getValue())).toList()));
    }

    @Override
    public byte[] read(long mailboxId, long uid) throws IOException {
        Message m = byId(mailboxId).map(b -> b.messages.get(uid)).orElse(null);
        if (m == null) throw new IOException("no message " + uid);
        return m.octets.clone();
    }

    @Override
    public Map<Long, Summary> summaries(long mailboxId, Collection<Long> uids) {
        Map<Long, Summary> saved = savedSummaries.getOrDefault(mailboxId, Map.of());
        Map<Long, Summary> out = new HashMap<>();
        for (long u : uids) if (saved.containsKey(u)) out.put(u, saved.get(u));
        return out;
    }

    @Override
    public Map<Long, HeaderFields> headerFields(long mailboxId, Collection<Long> uids, List<byte[]> anyOf) {
        return Map.of();
    }

    @Override
    public void saveSummaries(long mailboxId, Map<Long, Summary> byUid) {
        savedSummaries.computeIfAbsent(mailboxId, k -> new HashMap<>()).putAll(byUid);
    }

    @Override
    public List<MessageInfo> store(long mailboxId, Set<Long> uids, FlagMode mode, Set<String> flags,
                                   OptionalLong unchangedSince) {
        Box b = byId(mailboxId).orElseThrow();
        List<MessageInfo> changed = new ArrayList<>();
        for (long u : uids) {
            Message m = b.messages.get(u);
            if (m == null || unchangedSince.isPresent() && m.modseq > unchangedSince.getAsLong()) continue;
            Set<String> before = Set.copyOf(m.flags);
            switch (mode) {
                case ADD -> m.flags.addAll(flags);
                case REMOVE -> m.flags.removeAll(flags);
                case REPLACE -> {
                    m.flags.clear();
                    m.flags.addAll(flags);
                }
            }
            if (before.equals(Set.copyOf(m.flags))) continue;
            m.modseq = ++b.highestModseq;
            changed.add(info(u, m));
        }
        if (!changed.isEmpty()) changed(b);
        return changed;
    }

    @Override
    public List<Long> expunge(long mailboxId, Optional<Set<Long>> uids) {
        Box b = byId(mailboxId).orElseThrow();
        List<Long> gone = b.messages.entrySet().stream()
                .filter(e -> e.getValue().flags.contains("\\Deleted") && uids.map(s -> s.contains(e.getKey())).orElse(true))
                .map(Map.Entry::getKey).toList();
        gone.forEach(b.messages::remove);
        if (!gone.isEmpty()) {
            b.highestModseq++;
            changed(b);
        }
        return gone;
    }

    @Override
    public CopyResult copy(long from, Set<Long> uids, long to, boolean move) {
        Box src = byId(from).orElseThrow();
        Box dst = byId(to).orElseThrow();
        List<Long> sources = new ArrayList<>();
        List<Long> copies = new ArrayList<>();
        for (long u : uids) {
            Message m = src.messages.get(u);
            if (m == null) continue;
            Message c = new Message(m.octets, ++dst.highestModseq);
            c.flags.addAll(m.flags);
            dst.messages.put(dst.uidNext, c);
            sources.add(u);
            copies.add(dst.uidNext++);
            if (move) src.messages.remove(u);
        }
        if (move && !sources.isEmpty()) {
            src.highestModseq++;
            changed(src);
        }
        changed(dst);
        return new CopyResult(dst.uidValidity, sources, copies);
    }

    @Override
    public AppendResult append(long mailboxId, byte[] message, Set<String> flags, Instant internalDate) {
        Box b = byId(mailboxId).orElseThrow();
        long uid = b.uidNext++;
        Message m = new Message(message.clone(), ++b.highestModseq);
        m.flags.addAll(flags);
        b.messages.put(uid, m);
        changed(b);
        return new AppendResult(b.uidValidity, uid);
    }

    @Override
    public AutoCloseable watch(long mailboxId, Runnable onChange) {
        Box b = byId(mailboxId).orElseThrow();
        b.watchers.add(onChange);
        return () -> b.watchers.remove(onChange);
    }

    @Override
    public Instant now() {
        return NOW;
    }

    @Override
    public QuotaStatus quota(EmailAddress user) {
        long usage = 0;
        for (Box b : boxes.values()) for (Message m : b.messages.values()) usage += m.octets.length;
        return new QuotaStatus(usage, 100_000);
    }
}
