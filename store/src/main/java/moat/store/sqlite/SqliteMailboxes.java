package moat.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import moat.core.EmailAddress;
import moat.store.Mailboxes;
import moat.store.StoreException;

/**
 * {@link Mailboxes} on the SQLite index: the folder operations (LIST, CREATE, DELETE, RENAME,
 * SUBSCRIBE) here, the reads of a selected mailbox in {@link MailboxReads}, the summary cache in
 * {@link MessageSummaries}, and every row change in {@link MailboxRows}. Reads use the pooled
 * read-only connections; changes run as one IMMEDIATE transaction each on the admin connection
 * and fire the {@link ChangeNotifier} after COMMIT. APPEND makes its body durable through
 * {@link Bodies#commit}, the same routine as SMTP delivery's group commit.
 *
 * <p>A body file is shared by every copy of a message (COPY adds rows, not files); when the
 * last row referencing it goes (EXPUNGE, DELETE) and no queued delivery needs it, its
 * {@code bodies} row goes in the same transaction and the file right after COMMIT.
 */
final class SqliteMailboxes implements Mailboxes {
    private final DataDir dir;
    private final Connections db;
    private final SqliteMailStore mail;
    private final ChangeNotifier notifier;
    private final Clock clock;
    private final SummaryFiller summaries;
    private final MailboxReads reads;
    private final MessageSummaries parsed;

    SqliteMailboxes(DataDir dir, Connections db, SqliteMailStore mail, ChangeNotifier notifier, Clock clock,
                    SummaryFiller summaries) {
        this.summaries = summaries;
        this.dir = dir;
        this.db = db;
        this.mail = mail;
        this.notifier = notifier;
        this.clock = clock;
        this.reads = new MailboxReads(dir, db);
        this.parsed = new MessageSummaries(db);
    }

    /** INBOX is case-insensitive (RFC 9051 section 5.1). */
    static String canonical(String name) {
        if (name.equalsIgnoreCase(INBOX)) return INBOX;
        if (name.length() > 5 && name.substring(0, 6).equalsIgnoreCase(INBOX + DELIMITER))
            return INBOX + name.substring(5);
        return name;
    }

    @Override
    public List<Mailbox> list(EmailAddress user) {
        return db.read(c -> {
            List<Mailbox> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MailboxReads.MAILBOX_COLUMNS
                    + " FROM mailboxes m JOIN users u ON u.id = m.user_id WHERE u.address_key = ? ORDER BY m.name")) {
                ps.setString(1, user.key());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(MailboxReads.mailbox(rs));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<Mailbox> find(EmailAddress user, String name) {
        return db.read(c -> find(c, user, canonical(name)));
    }

    private static Optional<Mailbox> find(Connection c, EmailAddress user, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MailboxReads.MAILBOX_COLUMNS
                + " FROM mailboxes m JOIN users u ON u.id = m.user_id WHERE u.address_key = ? AND m.name = ?")) {
            ps.setString(1, user.key());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(MailboxReads.mailbox(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public Outcome create(EmailAddress user, String name) {
        String n = canonical(name);
        return db.write(c -> {
            long userId = Sql.count(c, "SELECT id FROM users WHERE address_key = ?", user.key());
            if (userId == 0) return new Outcome.NotFound();
            if (find(c, user, n).isPresent()) return new Outcome.AlreadyExists();
            // RFC 9051 section 2.3.1.1: a reused name must get a new UIDVALIDITY.
            long uidValidity = Counters.nextUidValidity(c, clock.millis() / 1000);
            MailboxRows.insertMailbox(c, userId, n, uidValidity, "");
            return new Outcome.Done();
        });
    }

    @Override
    public Outcome delete(EmailAddress user, String name) {
        String n = canonical(name);
        if (n.equals(INBOX)) return new Outcome.Refused("INBOX cannot be deleted");
        long[] id = {0};
        List<String> files = new ArrayList<>();
        Outcome o = db.write(c -> {
            Optional<Mailbox> mb = find(c, user, n);
            if (mb.isEmpty()) return new Outcome.NotFound();
            if (Sql.count(c, "SELECT count(*) FROM mailboxes WHERE user_id = (SELECT user_id FROM mailboxes"
                    + " WHERE id = ?) AND substr(name, 1, ?) = ?", mb.get().id(), n.length() + 1, n + DELIMITER) > 0)
                return new Outcome.Refused("Mailbox has children; delete them first");
            files.addAll(Bodies.dropUnreferenced(c, MailboxRows.deleteMailbox(c, mb.get().id())));
            id[0] = mb.get().id();
            return new Outcome.Done();
        });
        Bodies.deleteFiles(dir.messages, files);
        if (id[0] != 0) notifier.fire(id[0]);
        return o;
    }

    @Override
    public Outcome rename(EmailAddress user, String from, String to) {
        String f = canonical(from);
        String t = canonical(to);
        if (f.equals(INBOX)) return new Outcome.Refused("Renaming INBOX is not supported");
        if (t.equals(f) || t.startsWith(f + DELIMITER)) return new Outcome.Refused("Cannot rename a mailbox into itself");
        return db.write(c -> {
            Optional<Mailbox> mb = find(c, user, f);
            if (mb.isEmpty()) return new Outcome.NotFound();
            if (find(c, user, t).isPresent()) return new Outcome.AlreadyExists();
            long userId = Sql.count(c, "SELECT user_id FROM mailboxes WHERE id = ?", mb.get().id());
            // Children move along (RFC 9051 section 6.3.6); a new UIDVALIDITY keeps clients honest.
            long uidValidity = Counters.nextUidValidity(c, clock.millis() / 1000);
            MailboxRows.renameTree(c, userId, f, t, DELIMITER, uidValidity);
            return new Outcome.Done();
        });
    }

    @Override
    public Outcome subscribe(EmailAddress user, String name, boolean subscribed) {
        String n = canonical(name);
        return db.write(c -> {
            Optional<Mailbox> mb = find(c, user, n);
            if (mb.isEmpty()) return new Outcome.NotFound();
            MailboxRows.setSubscribed(c, mb.get().id(), subscribed);
            return new Outcome.Done();
        });
    }

    @Override
    public long usage(EmailAddress user) {
        return db.read(c -> Sql.count(c, "SELECT coalesce(sum(m.n_octets), 0) FROM mailboxes m"
                + " JOIN users u ON u.id = m.user_id WHERE u.address_key = ?", user.key()));
    }

    // ---- reads of a selected mailbox (MailboxReads) and of the summary cache (MessageSummaries)

    @Override
    public Optional<Snapshot> snapshot(long mailboxId) {
        return reads.snapshot(mailboxId);
    }

    @Override
    public Optional<Snapshot> changesSince(long mailboxId, long modseq) {
        return reads.changesSince(mailboxId, modseq);
    }

    @Override
    public Optional<UidMap> uidMap(long mailboxId) {
        return reads.uidMap(mailboxId);
    }

    @Override
    public Optional<Mailbox> scan(long mailboxId, boolean sizeAndDate, RowVisitor visitor) {
        return reads.scan(mailboxId, sizeAndDate, visitor);
    }

    @Override
    public OptionalLong highestModseq(long mailboxId) {
        return reads.highestModseq(mailboxId);
    }

    @Override
    public InputStream open(long mailboxId, long uid) throws IOException {
        return reads.open(mailboxId, uid);
    }

    @Override
    public Map<Long, Summary> summaries(long mailboxId, Collection<Long> uids) {
        return parsed.summaries(mailboxId, uids);
    }

    @Override
    public Map<Long, HeaderFields> headerFields(long mailboxId, Collection<Long> uids, List<byte[]> anyOf) {
        return parsed.headerFields(mailboxId, uids, anyOf);
    }

    @Override
    public void saveSummaries(long mailboxId, Map<Long, Summary> byUid) {
        parsed.saveSummaries(mailboxId, byUid);
    }

    @Override
    public void summarizeArrivals(Summarizer summarizer) {
        summaries.start(summarizer);
    }

    // ---- changes to messages: one transaction each (rows by MailboxRows), then the notifier

    @Override
    public List<Message> store(long mailboxId, Set<Long> uids, FlagMode mode, Set<String> flags,
                               OptionalLong unchangedSince) {
        List<Message> changed = db.write(c -> MailboxRows.storeFlags(c, mailboxId, uids, mode, flags, unchangedSince));
        if (!changed.isEmpty()) notifier.fire(mailboxId);
        return changed;
    }

    @Override
    public List<Long> expunge(long mailboxId, Optional<Set<Long>> uids) {
        List<String> files = new ArrayList<>();
        List<Long> gone = db.write(c -> {
            List<Long> out = new ArrayList<>();
            for (Message m : MailboxReads.messages(c, mailboxId, uids)) {
                if (m.flags().contains("\\Deleted")) out.add(m.uid());
            }
            files.addAll(Bodies.dropUnreferenced(c, MailboxRows.deleteMessages(c, mailboxId, out)));
            return out;
        });
        Bodies.deleteFiles(dir.messages, files);
        if (!gone.isEmpty()) notifier.fire(mailboxId);
        return gone;
    }

    @Override
    public CopyResult copy(long fromMailbox, Set<Long> uids, long toMailbox, boolean move) {
        CopyResult r = db.write(c -> MailboxRows.copy(c, fromMailbox, uids, toMailbox, move));
        if (!r.sourceUids().isEmpty()) {
            notifier.fire(toMailbox);
            if (move) notifier.fire(fromMailbox);
        }
        return r;
    }

    @Override
    public AppendResult append(long mailboxId, byte[] message, Set<String> flags, Instant internalDate)
            throws IOException {
        SqliteDraft draft = (SqliteDraft) mail.begin();
        try {
            draft.out().write(message);
            AppendResult r = Bodies.commit(draft, () -> db.write(c -> {
                MailboxRows.Slot slot = MailboxRows.slot(c, mailboxId).orElseThrow(() -> new SQLException("mailbox gone"));
                Bodies.insert(c, draft, message.length, clock.millis());
                MailboxRows.addMessage(c, slot, draft.id, message.length, internalDate.toEpochMilli(), String.join(" ", flags));
                return new AppendResult(slot.uidValidity(), slot.uid());
            }));
            notifier.fire(mailboxId);
            summaries.offer(draft.id, draft.path, draft.prefix());
            return r;
        } catch (StoreException e) {
            draft.discard();
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            draft.discard();
            throw e;
        }
    }

    @Override
    public Watch watch(long mailboxId, Runnable onChange) {
        return notifier.watch(mailboxId, onChange);
    }
}
