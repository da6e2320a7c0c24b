package moat.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.MailStore;
import moat.store.StoreException;

/**
 * {@link MailStore}: drafts are body files begun here; commits go through the
 * {@link GroupCommitter}; POP3's expunge changes rows through {@link MailboxRows} and frees
 * bodies through {@link Bodies}.
 */
final class SqliteMailStore implements MailStore {
    private final DataDir dir;
    private final Connections db;
    private final GroupCommitter committer;
    private final MessageIds ids;

    SqliteMailStore(DataDir dir, Connections db, GroupCommitter committer, MessageIds ids) {
        this.dir = dir;
        this.db = db;
        this.committer = committer;
        this.ids = ids;
    }

    @Override
    public Draft begin() throws IOException {
        String id = ids.next();
        String rel = DataDir.relativePath(id);
        Path path = dir.bodyPath(rel);
        // CREATE_NEW: an id collision fails loudly instead of overwriting a stored body.
        FileChannel ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                DataDir.fileAttributes());
        return new SqliteDraft(this, id, rel, path, ch);
    }

    @Override
    public String commit(Draft draft, Delivery delivery) throws IOException {
        if (!(draft instanceof SqliteDraft d) || d.owner != this)
            throw new IllegalArgumentException("draft was not begun by this store");
        return committer.commit(d, delivery);
    }

    @Override
    public List<StoredMessage> messages(EmailAddress user, String mailbox) throws IOException {
        return read(() -> db.read(c -> {
            List<StoredMessage> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT u.local_part, u.domain, m.name, g.uid, m.uidvalidity, g.modseq, g.size,
                           g.internaldate, g.flags, g.body_id
                      FROM users u JOIN mailboxes m ON m.user_id = u.id JOIN messages g ON g.mailbox_id = m.id
                     WHERE u.address_key = ? AND m.name = ? ORDER BY g.uid""")) {
                ps.setString(1, user.key());
                ps.setString(2, mailbox);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String flags = rs.getString(9);
                        out.add(new StoredMessage(rs.getString(10),
                                new EmailAddress(rs.getString(1), new Domain(rs.getString(2))), rs.getString(3),
                                rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7),
                                Instant.ofEpochMilli(rs.getLong(8)),
                                flags.isEmpty() ? List.of() : Arrays.asList(flags.split(" "))));
                    }
                }
            }
            return out;
        }));
    }

    @Override
    public void expunge(EmailAddress user, String mailbox, Collection<Long> uids) throws IOException {
        if (uids.isEmpty()) return;
        List<String> freed = read(() -> db.write(c -> {
            long mailboxId;
            try (PreparedStatement ps = c.prepareStatement("SELECT m.id FROM mailboxes m JOIN users u ON u.id = m.user_id"
                    + " WHERE u.address_key = ? AND m.name = ?")) {
                ps.setString(1, user.key());
                ps.setString(2, mailbox);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return List.<String>of();
                    mailboxId = rs.getLong(1);
                }
            }
            return Bodies.dropUnreferenced(c, MailboxRows.deleteMessages(c, mailboxId, uids));
        }));
        // Only after the commit: a crash in between leaves an orphan file, which start-up
        // recovery deletes; never an index row pointing at a missing file.
        Bodies.deleteFiles(dir.messages, freed);
    }

    @Override
    public InputStream open(StoredMessage message) throws IOException {
        // The path comes from the index, never from the caller's string: no traversal.
        Optional<StoredBody> body = read(() -> db.read(c -> StoredBody.byId(c, message.queueId())));
        if (body.isEmpty()) throw new IOException("no body " + message.queueId());
        return body.get().open(dir);
    }

    @Override
    public List<QueuedMessage> outbound() throws IOException {
        return read(() -> db.read(c -> {
            List<QueuedMessage> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT queue_id, sender, recipient, queued FROM outbound ORDER BY queued, queue_id, recipient");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String sender = rs.getString(2);
                    out.add(new QueuedMessage(rs.getString(1),
                            sender.isEmpty() ? Optional.empty() : Optional.of(EmailAddress.of(sender)),
                            EmailAddress.of(rs.getString(3)), Instant.ofEpochMilli(rs.getLong(4))));
                }
            }
            return out;
        }));
    }

    /** Group-commit rounds so far. */
    long commitRounds() {
        return committer.rounds();
    }

    private interface Read<T> {
        T get();
    }

    /** MailStore speaks IOException: an index failure is an I/O failure to its callers. */
    private static <T> T read(Read<T> r) throws IOException {
        try {
            return r.get();
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
