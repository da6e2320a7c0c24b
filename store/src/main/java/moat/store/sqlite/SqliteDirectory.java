package moat.store.sqlite;

import static moat.store.sqlite.Sql.bind;
import static moat.store.sqlite.Sql.count;
import static moat.store.sqlite.Sql.update;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.Directory;
import moat.store.StoreException;
import moat.store.password.Argon2id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Domains, users and aliases in {@code index.db}, and the only writer of those three tables; a new
 * user's mailboxes are rows of {@link MailboxRows}.
 */
final class SqliteDirectory implements Directory {
    private static final Logger log = LoggerFactory.getLogger(SqliteDirectory.class);

    /** The mailboxes every new user gets, with their RFC 6154 special-use attribute. */
    static final List<Map.Entry<String, String>> DEFAULT_MAILBOXES = List.of(
            Map.entry("INBOX", ""), Map.entry("Sent", "\\Sent"), Map.entry("Drafts", "\\Drafts"),
            Map.entry("Junk", "\\Junk"), Map.entry("Trash", "\\Trash"), Map.entry("Archive", "\\Archive"));

    private final Connections db;
    private final Argon2id hasher;
    private final int maxAliasDepth;
    private final Clock clock;
    /** Verified for unknown users so that a failed login costs the same either way. */
    private final String dummyHash;

    SqliteDirectory(Connections db, StoreSettings settings, Clock clock) {
        this.db = db;
        this.hasher = new Argon2id(settings.argon2());
        this.maxAliasDepth = settings.maxAliasDepth();
        this.clock = clock;
        this.dummyHash = hasher.hash("moat-dummy-password-for-timing".toCharArray());
    }

    // ---- domains

    @Override
    public boolean addDomain(Domain domain) {
        return db.write(c -> update(c, "INSERT OR IGNORE INTO domains(name, created) VALUES (?, ?)",
                domain.ascii(), clock.millis()) == 1);
    }

    @Override
    public boolean removeDomain(Domain domain) {
        return db.write(c -> {
            if (count(c, "SELECT count(*) FROM users WHERE domain = ?", domain.ascii()) > 0
                    || count(c, "SELECT count(*) FROM aliases WHERE alias_domain = ?", domain.ascii()) > 0)
                throw new StoreException("domain " + domain + " still has users or aliases");
            return update(c, "DELETE FROM domains WHERE name = ?", domain.ascii()) == 1;
        });
    }

    @Override
    public List<Domain> domains() {
        return db.read(c -> {
            List<Domain> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM domains ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Domain(rs.getString(1)));
            }
            return out;
        });
    }

    @Override
    public boolean isLocalDomain(Domain domain) {
        return db.read(c -> count(c, "SELECT count(*) FROM domains WHERE name = ?", domain.ascii()) > 0);
    }

    // ---- users

    @Override
    public void addUser(EmailAddress user, char[] password) {
        String hash = hasher.hash(password); // slow: outside the write lock
        db.write(c -> {
            if (count(c, "SELECT count(*) FROM domains WHERE name = ?", user.domain().ascii()) == 0)
                throw new StoreException("domain " + user.domain() + " is not local");
            if (count(c, "SELECT count(*) FROM users WHERE address_key = ?", user.key()) > 0)
                throw new StoreException("user " + user + " exists");
            if (count(c, "SELECT count(*) FROM aliases WHERE alias_key = ?", user.key()) > 0)
                throw new StoreException(user + " is an alias");
            long now = clock.millis();
            long userId;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO users(address_key, local_part, domain, password, created) VALUES (?, ?, ?, ?, ?)")) {
                bind(ps, user.key(), user.localPart(), user.domain().ascii(), hash, now);
                ps.executeUpdate();
            }
            userId = count(c, "SELECT id FROM users WHERE address_key = ?", user.key());
            // RFC 3501 section 2.3.1.1: UIDVALIDITY must change if a mailbox name is reused, so
            // never hand out a value lower than one already used.
            long uidValidity = Counters.nextUidValidity(c, now / 1000);
            for (var mb : DEFAULT_MAILBOXES) MailboxRows.insertMailbox(c, userId, mb.getKey(), uidValidity, mb.getValue());
            return null;
        });
    }

    @Override
    public boolean setPassword(EmailAddress user, char[] password) {
        String hash = hasher.hash(password);
        return db.write(c -> update(c, "UPDATE users SET password = ? WHERE address_key = ?", hash, user.key()) == 1);
    }

    @Override
    public OptionalLong quota(EmailAddress user) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT quota FROM users WHERE address_key = ?")) {
                ps.setString(1, user.key());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return OptionalLong.empty();
                    long q = rs.getLong(1);
                    return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(q);
                }
            }
        });
    }

    @Override
    public boolean setQuota(EmailAddress user, OptionalLong octets) {
        if (octets.isPresent() && octets.getAsLong() < 0) throw new IllegalArgumentException("negative quota");
        return db.write(c -> update(c, "UPDATE users SET quota = ? WHERE address_key = ?",
                octets.isPresent() ? octets.getAsLong() : null, user.key()) == 1);
    }

    @Override
    public boolean removeUser(EmailAddress user) {
        // Mailboxes, message rows and list entries cascade; bodies (rows and files) stay until a
        // body collector exists (package-info LIMITATION).
        return db.write(c -> update(c, "DELETE FROM users WHERE address_key = ?", user.key()) == 1);
    }

    @Override
    public List<EmailAddress> users() {
        return db.read(c -> {
            List<EmailAddress> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT local_part, domain FROM users ORDER BY address_key");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new EmailAddress(rs.getString(1), new Domain(rs.getString(2))));
            }
            return out;
        });
    }

    @Override
    public Optional<EmailAddress> oldestUser() {
        // id is the rowid: ascending in insertion order (a deleted maximum may be reused, an
        // older user never is).
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT local_part, domain FROM users ORDER BY id LIMIT 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new EmailAddress(rs.getString(1), new Domain(rs.getString(2))))
                        : Optional.<EmailAddress>empty();
            }
        });
    }

    @Override
    public Optional<EmailAddress> authenticate(String username, char[] password) {
        Optional<EmailAddress> parsed = EmailAddress.parse(username);
        Optional<Login> login = parsed.flatMap(this::login);
        // Always run one Argon2id verification: unknown users cost the same as wrong passwords.
        boolean ok = Argon2id.verify(login.map(Login::hash).orElse(dummyHash), password);
        Arrays.fill(password, '\0');
        return ok ? login.map(Login::address) : Optional.empty();
    }

    private record Login(EmailAddress address, String hash) {}

    private Optional<Login> login(EmailAddress who) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT local_part, domain, password FROM users WHERE address_key = ?")) {
                ps.setString(1, who.key());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new Login(new EmailAddress(rs.getString(1), new Domain(rs.getString(2))),
                            rs.getString(3)));
                }
            }
        });
    }

    // ---- aliases

    @Override
    public void addAlias(EmailAddress alias, List<EmailAddress> targets) {
        if (targets.isEmpty()) throw new StoreException("alias " + alias + " needs a target");
        db.write(c -> {
            if (count(c, "SELECT count(*) FROM domains WHERE name = ?", alias.domain().ascii()) == 0)
                throw new StoreException("domain " + alias.domain() + " is not local");
            if (count(c, "SELECT count(*) FROM users WHERE address_key = ?", alias.key()) > 0)
                throw new StoreException(alias + " is a user");
            try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO aliases"
                    + "(alias_key, alias, alias_domain, target) VALUES (?, ?, ?, ?)")) {
                for (EmailAddress t : targets) {
                    bind(ps, alias.key(), alias.toString(), alias.domain().ascii(), t.toString());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public boolean removeAlias(EmailAddress alias) {
        return db.write(c -> update(c, "DELETE FROM aliases WHERE alias_key = ?", alias.key()) > 0);
    }

    @Override
    public List<Alias> aliases() {
        return db.read(c -> {
            Map<String, List<EmailAddress>> byAlias = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT alias, target FROM aliases ORDER BY alias_key, rowid");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next())
                    byAlias.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(EmailAddress.of(rs.getString(2)));
            }
            List<Alias> out = new ArrayList<>();
            byAlias.forEach((a, t) -> out.add(new Alias(EmailAddress.of(a), t)));
            return out;
        });
    }

    // ---- routing

    @Override
    public Resolution resolve(EmailAddress recipient) {
        return db.read(c -> {
            Optional<EmailAddress> user = userByKey(c, recipient.key());
            if (user.isPresent()) return new Resolution.Deliver(List.of(user.get()), List.of());
            if (aliasTargets(c, recipient.key()).isEmpty()) return new Resolution.Unknown();
            Set<EmailAddress> local = new LinkedHashSet<>();
            Set<EmailAddress> remote = new LinkedHashSet<>();
            expand(c, recipient, 0, new HashSet<>(), local, remote);
            // An alias that leads nowhere is refused at RCPT rather than swallowing mail.
            if (local.isEmpty() && remote.isEmpty()) return new Resolution.Unknown();
            return new Resolution.Deliver(List.copyOf(local), List.copyOf(remote));
        });
    }

    /**
     * Depth-first alias expansion. Local users are canonical (as stored), so duplicates collapse
     * whatever the case they were written in. {@code seen} breaks cycles (a -> b -> a); {@code depth} bounds
     * long chains so a misconfiguration cannot make one RCPT do unbounded work.
     */
    private void expand(Connection c, EmailAddress alias, int depth, Set<String> seen,
                        Set<EmailAddress> local, Set<EmailAddress> remote) throws SQLException {
        if (!seen.add(alias.key())) return;
        if (depth >= maxAliasDepth) {
            log.warn("alias {} exceeds store.max_alias_depth={}, not expanded further", alias, maxAliasDepth);
            return;
        }
        for (EmailAddress t : aliasTargets(c, alias.key())) {
            Optional<EmailAddress> user = userByKey(c, t.key());
            if (user.isPresent()) {
                local.add(user.get());
            } else if (!aliasTargets(c, t.key()).isEmpty()) {
                expand(c, t, depth + 1, seen, local, remote);
            } else if (count(c, "SELECT count(*) FROM domains WHERE name = ?", t.domain().ascii()) == 0) {
                // Exact match only: a remote local part may be case-sensitive (RFC 5321 section 2.4).
                remote.add(t);
            } else {
                log.warn("alias {} points to {}, which is no user nor alias: skipped", alias, t);
            }
        }
    }

    @Override
    public boolean owns(EmailAddress user, EmailAddress sender) {
        if (user.key().equals(sender.key())) return true;
        return switch (resolve(sender)) {
            case Resolution.Deliver d -> d.localUsers().stream().anyMatch(u -> u.key().equals(user.key()));
            case Resolution.Unknown u -> false;
        };
    }

    private static Optional<EmailAddress> userByKey(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT local_part, domain FROM users WHERE address_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new EmailAddress(rs.getString(1), new Domain(rs.getString(2))))
                        : Optional.empty();
            }
        }
    }

    private static List<EmailAddress> aliasTargets(Connection c, String key) throws SQLException {
        List<EmailAddress> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT target FROM aliases WHERE alias_key = ? ORDER BY rowid")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(EmailAddress.of(rs.getString(1)));
            }
        }
        return out;
    }
}
