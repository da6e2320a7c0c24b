package moat.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.Mailboxes;
import moat.store.Store;
import moat.store.StoreException;

/**
 * The embedded store: one data directory holding {@code index.db} (SQLite) and the body files.
 * Opening it migrates the schema, deletes orphan bodies left by a crash, and starts the group
 * committer. Thread-safe.
 */
public final class SqliteStore implements Store {
    private final DataDir dataDir;
    private final Connections db;
    private final GroupCommitter committer;
    private final SqliteDirectory directory;
    private final SqliteMailStore mail;
    private final SqliteMailboxes mailboxes;
    private final SqliteUserLists userLists;
    private final SqliteOutboundQueue outbound;
    private final SummaryFiller summaries;

    private SqliteStore(DataDir dataDir, Connections db, GroupCommitter committer, SqliteDirectory directory,
                        SqliteMailStore mail, SqliteMailboxes mailboxes, SummaryFiller summaries) {
        this.summaries = summaries;
        this.mailboxes = mailboxes;
        this.userLists = new SqliteUserLists(db);
        this.dataDir = dataDir;
        this.db = db;
        this.committer = committer;
        this.directory = directory;
        this.mail = mail;
        this.outbound = new SqliteOutboundQueue(db, dataDir.messages, false);
    }

    public static SqliteStore open(Path dataDir, StoreSettings settings) throws IOException {
        return open(dataDir, settings, Clock.systemUTC());
    }

    public static SqliteStore open(Path dataDir, StoreSettings settings, Clock clock) throws IOException {
        DataDir dir = DataDir.open(dataDir);
        Connections db = null;
        Connection writer = null;
        try {
            db = new Connections(dir.root.resolve("index.db"));
            writer = db.openWriter();
            Schema.migrate(writer);
            recover(dir, writer);
            ChangeNotifier notifier = new ChangeNotifier();
            SummaryFiller summaries = new SummaryFiller(db);
            GroupCommitter committer = new GroupCommitter(writer, settings.maxBatch(), notifier, summaries);
            SqliteDirectory directory = new SqliteDirectory(db, settings, clock);
            SqliteMailStore mail = new SqliteMailStore(dir, db, committer, new MessageIds(clock));
            return new SqliteStore(dir, db, committer, directory, mail,
                    new SqliteMailboxes(dir, db, mail, notifier, clock, summaries), summaries);
        } catch (SQLException e) {
            cleanUp(dir, db, writer);
            throw new StoreException("cannot open index.db: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            cleanUp(dir, db, writer);
            throw e;
        }
    }

    private static void cleanUp(DataDir dir, Connections db, Connection writer) {
        if (writer != null) Connections.quietClose(writer);
        if (db != null) db.close();
        dir.close();
    }

    /** Recovery, before anything else can begin a draft: a body without its row is an orphan. */
    private static void recover(DataDir dir, Connection c) throws IOException, SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM bodies WHERE path = ?")) {
            dir.deleteOrphans(rel -> {
                try {
                    ps.setString(1, rel);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next();
                    }
                } catch (SQLException e) {
                    // When in doubt keep the file: deleting a committed body would lose mail.
                    throw new StoreException("recovery look-up failed: " + e.getMessage(), e);
                }
            });
        }
    }

    @Override
    public Mailboxes mailboxes() {
        return mailboxes;
    }

    /** Group-commit rounds run since open: fewer than commits means batching happened. */
    public long commitRounds() {
        return mail.commitRounds();
    }

    /** Stops the committer (pending commits finish first), closes the index and unlocks the directory. */
    @Override
    public void close() {
        outbound.close();
        committer.close();
        summaries.close();
        db.close();
        dataDir.close();
    }

    /** Shares this store's connections. */
    @Override
    public SqliteOutboundQueue outboundQueue() {
        return outbound;
    }

    /** Greylisting state in the same index database (see {@link SqliteGreylist}). */
    @Override
    public SqliteGreylist greylist() {
        return new SqliteGreylist(db);
    }

    // ---- UserLists

    @Override
    public boolean addEntry(EmailAddress user, Kind kind, Entry entry) {
        return userLists.addEntry(user, kind, entry);
    }

    @Override
    public boolean removeEntry(EmailAddress user, Kind kind, Entry entry) {
        return userLists.removeEntry(user, kind, entry);
    }

    @Override
    public List<Entry> entries(EmailAddress user, Kind kind) {
        return userLists.entries(user, kind);
    }

    @Override
    public Lists lists(EmailAddress user) {
        return userLists.lists(user);
    }

    // ---- MailStore

    @Override
    public Draft begin() throws IOException {
        return mail.begin();
    }

    @Override
    public String commit(Draft draft, Delivery delivery) throws IOException {
        return mail.commit(draft, delivery);
    }

    @Override
    public List<StoredMessage> messages(EmailAddress user, String mailbox) throws IOException {
        return mail.messages(user, mailbox);
    }

    @Override
    public void expunge(EmailAddress user, String mailbox, java.util.Collection<Long> uids) throws IOException {
        mail.expunge(user, mailbox, uids);
    }

    @Override
    public InputStream open(StoredMessage message) throws IOException {
        return mail.open(message);
    }

    @Override
    public List<QueuedMessage> outbound() throws IOException {
        return mail.outbound();
    }

    // ---- Directory

    @Override
    public boolean addDomain(Domain domain) {
        return directory.addDomain(domain);
    }

    @Override
    public boolean removeDomain(Domain domain) {
        return directory.removeDomain(domain);
    }

    @Override
    public List<Domain> domains() {
        return directory.domains();
    }

    @Override
    public boolean isLocalDomain(Domain domain) {
        return directory.isLocalDomain(domain);
    }

    @Override
    public void addUser(EmailAddress user, char[] password) {
        directory.addUser(user, password);
    }

    @Override
    public boolean setPassword(EmailAddress user, char[] password) {
        return directory.setPassword(user, password);
    }

    @Override
    public OptionalLong quota(EmailAddress user) {
        return directory.quota(user);
    }

    @Override
    public boolean setQuota(EmailAddress user, OptionalLong octets) {
        return directory.setQuota(user, octets);
    }

    @Override
    public boolean removeUser(EmailAddress user) {
        return directory.removeUser(user);
    }

    @Override
    public List<EmailAddress> users() {
        return directory.users();
    }

    @Override
    public Optional<EmailAddress> oldestUser() {
        return directory.oldestUser();
    }

    @Override
    public void addAlias(EmailAddress alias, List<EmailAddress> targets) {
        directory.addAlias(alias, targets);
    }

    @Override
    public boolean removeAlias(EmailAddress alias) {
        return directory.removeAlias(alias);
    }

    @Override
    public List<Alias> aliases() {
        return directory.aliases();
    }

    @Override
    public Optional<EmailAddress> authenticate(String username, char[] password) {
        return directory.authenticate(username, password);
    }

    @Override
    public Resolution resolve(EmailAddress recipient) {
        return directory.resolve(recipient);
    }

    @Override
    public boolean owns(EmailAddress user, EmailAddress sender) {
        return directory.owns(user, sender);
    }
}
