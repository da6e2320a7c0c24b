package moat.store.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.Directory;
import moat.store.StoreException;
import moat.store.UserLists;

/**
 * The directory alone, for the admin CLI while the server runs. It takes no {@code store.lock}
 * and runs no orphan recovery (a running server's half-written bodies are not orphans); SQLite's
 * own locking (WAL, busy timeout) keeps the two processes consistent.
 */
public final class AdminDirectory implements Directory, UserLists, AutoCloseable {
    private final Connections db;
    private final SqliteDirectory directory;
    private final SqliteUserLists userLists;

    private AdminDirectory(Connections db, SqliteDirectory directory) {
        this.db = db;
        this.directory = directory;
        this.userLists = new SqliteUserLists(db);
    }

    public static AdminDirectory open(Path dataDir, StoreSettings settings) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            Files.createDirectories(dataDir);
            try {
                Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: permissions are the platform's
            }
        }
        Connections db = null;
        try {
            db = new Connections(dataDir.resolve("index.db"));
            try (Connection w = db.openWriter()) {
                Schema.migrate(w);
            }
            return new AdminDirectory(db, new SqliteDirectory(db, settings, Clock.systemUTC()));
        } catch (SQLException e) {
            if (db != null) db.close();
            throw new StoreException("cannot open " + dataDir.resolve("index.db") + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        db.close();
    }

    @Override public boolean addDomain(Domain d) { return directory.addDomain(d); }
    @Override public boolean removeDomain(Domain d) { return directory.removeDomain(d); }
    @Override public List<Domain> domains() { return directory.domains(); }
    @Override public boolean isLocalDomain(Domain d) { return directory.isLocalDomain(d); }
    @Override public void addUser(EmailAddress u, char[] p) { directory.addUser(u, p); }
    @Override public boolean setPassword(EmailAddress u, char[] p) { return directory.setPassword(u, p); }
    @Override public boolean removeUser(EmailAddress u) { return directory.removeUser(u); }
    @Override public OptionalLong quota(EmailAddress u) { return directory.quota(u); }
    @Override public boolean setQuota(EmailAddress u, OptionalLong q) { return directory.setQuota(u, q); }
    @Override public List<EmailAddress> users() { return directory.users(); }
    @Override public Optional<EmailAddress> oldestUser() { return directory.oldestUser(); }
    @Override public void addAlias(EmailAddress a, List<EmailAddress> t) { directory.addAlias(a, t); }
    @Override public boolean removeAlias(EmailAddress a) { return directory.removeAlias(a); }
    @Override public List<Alias> aliases() { return directory.aliases(); }
    @Override public Optional<EmailAddress> authenticate(String u, char[] p) { return directory.authenticate(u, p); }
    @Override public Resolution resolve(EmailAddress r) { return directory.resolve(r); }
    @Override public boolean owns(EmailAddress u, EmailAddress s) { return directory.owns(u, s); }
    @Override public boolean addEntry(EmailAddress u, Kind k, Entry e) { return userLists.addEntry(u, k, e); }
    @Override public boolean removeEntry(EmailAddress u, Kind k, Entry e) { return userLists.removeEntry(u, k, e); }
    @Override public List<Entry> entries(EmailAddress u, Kind k) { return userLists.entries(u, k); }
    @Override public Lists lists(EmailAddress u) { return userLists.lists(u); }
}
