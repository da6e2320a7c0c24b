package moat.store.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import moat.store.StoreException;

/**
 * Numbered schema migrations, applied in order inside one transaction each and recorded in
 * {@code PRAGMA user_version} (see package-info for why not Flyway). Never edit a released step:
 * append a new one.
 */
final class Schema {
    private Schema() {}

    // (h-dnspolicy) greylisting state: triplets and per-client-network pass counts. A separate
    // constant so a parallel branch's step can be ordered before or after it on merge.
    private static final String GREYLIST = """
            CREATE TABLE greylist (
              client_net TEXT NOT NULL,
              sender     TEXT NOT NULL, -- address key; empty for the null reverse-path <>
              recipient  TEXT NOT NULL,
              first_seen INTEGER NOT NULL,
              last_seen  INTEGER NOT NULL,
              passed     INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (client_net, sender, recipient)
            ) STRICT;
            CREATE INDEX greylist_last_seen ON greylist(last_seen);
            CREATE TABLE greylist_clients (
              client_net TEXT PRIMARY KEY,
              passes     INTEGER NOT NULL,
              last_pass  INTEGER NOT NULL
            ) STRICT;
            """;

    // (h-outbound) outbound delivery: a claim lease (the runner that set state 'sending' owns the
    // row until lease_until), the authenticated submitter (DSNs go only to them; empty = port 25
    // mail, never bounced), the last reply for the queue listing, and whether the delay warning
    // DSN went out.
    private static final String OUTBOUND_DELIVERY = """
            ALTER TABLE outbound ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE outbound ADD COLUMN auth_user TEXT NOT NULL DEFAULT '';
            ALTER TABLE outbound ADD COLUMN last_reply TEXT NOT NULL DEFAULT '';
            ALTER TABLE outbound ADD COLUMN warned INTEGER NOT NULL DEFAULT 0;
            """;

    // Keyed by body, so copies of a message share it; goes with the body row (foreign key).
    // format: the protocol's serializer version; another version is treated as absent.
    private static final String BODY_SUMMARIES = """
            CREATE TABLE body_summaries (
              body_id       TEXT PRIMARY KEY REFERENCES bodies(id) ON DELETE CASCADE,
              format        INTEGER NOT NULL,
              envelope      BLOB NOT NULL,
              body          BLOB NOT NULL,
              bodystructure BLOB NOT NULL,
              header        BLOB NOT NULL
            ) STRICT;
            """;

    // Message count, unseen count and octets of each mailbox, kept by triggers in the same
    // transaction as every INSERT/DELETE of a message row and every flags UPDATE, whichever code
    // path does it (delivery, APPEND, COPY, MOVE, EXPUNGE, POP3, DELETE's cascade). Each trigger
    // body stays on one line: migrate() splits statements at ';' + newline.
    private static final String MAILBOX_COUNTERS = """
            ALTER TABLE mailboxes ADD COLUMN n_messages INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE mailboxes ADD COLUMN n_unseen INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE mailboxes ADD COLUMN n_octets INTEGER NOT NULL DEFAULT 0;
            UPDATE mailboxes SET
              n_messages = (SELECT count(*) FROM messages g WHERE g.mailbox_id = mailboxes.id),
              n_unseen = (SELECT count(*) FROM messages g WHERE g.mailbox_id = mailboxes.id AND instr(g.flags, '\\Seen') = 0),
              n_octets = (SELECT coalesce(sum(g.size), 0) FROM messages g WHERE g.mailbox_id = mailboxes.id);
            CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN UPDATE mailboxes SET n_messages = n_messages + 1, n_unseen = n_unseen + (instr(NEW.flags, '\\Seen') = 0), n_octets = n_octets + NEW.size WHERE id = NEW.mailbox_id; END;
            CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN UPDATE mailboxes SET n_messages = n_messages - 1, n_unseen = n_unseen - (instr(OLD.flags, '\\Seen') = 0), n_octets = n_octets - OLD.size WHERE id = OLD.mailbox_id; END;
            CREATE TRIGGER messages_count_flags AFTER UPDATE OF flags ON messages BEGIN UPDATE mailboxes SET n_unseen = n_unseen + (instr(NEW.flags, '\\Seen') = 0) - (instr(OLD.flags, '\\Seen') = 0) WHERE id = NEW.mailbox_id; END;
            """;

    // (h-imapsearch) the searched header fields of a body (decoded, lower-cased; opaque to the
    // store) apart from body_summaries: a header SEARCH scans this narrow table (about 200 octets
    // per body) instead of the wide summary rows. WITHOUT ROWID: one B-tree look-up per message.
    private static final String BODY_SEARCH = """
            CREATE TABLE body_search (
              body_id TEXT PRIMARY KEY REFERENCES bodies(id) ON DELETE CASCADE,
              format  INTEGER NOT NULL,
              fields  BLOB NOT NULL
            ) STRICT, WITHOUT ROWID;
            """;

    /** Step {@code i} (0-based) takes the schema from version {@code i} to {@code i + 1}. */
    static final List<String> MIGRATIONS = List.of(
            // 1: the initial schema. Times are epoch milliseconds (UTC). STRICT tables refuse
            // values of the wrong type instead of silently storing them.
            """
            CREATE TABLE domains (
              name    TEXT PRIMARY KEY,
              created INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE users (
              id          INTEGER PRIMARY KEY,
              address_key TEXT NOT NULL UNIQUE,
              local_part  TEXT NOT NULL,
              domain      TEXT NOT NULL REFERENCES domains(name) ON DELETE RESTRICT,
              password    TEXT NOT NULL,
              created     INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE aliases (
              alias_key    TEXT NOT NULL,
              alias        TEXT NOT NULL,
              alias_domain TEXT NOT NULL REFERENCES domains(name) ON DELETE RESTRICT,
              target       TEXT NOT NULL, -- exact: a remote local part may be case-sensitive
              PRIMARY KEY (alias_key, target)
            ) STRICT;
            CREATE TABLE mailboxes (
              id            INTEGER PRIMARY KEY,
              user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              name          TEXT NOT NULL,
              uidvalidity   INTEGER NOT NULL,
              uidnext       INTEGER NOT NULL DEFAULT 1,
              highestmodseq INTEGER NOT NULL DEFAULT 0,
              special_use   TEXT,
              UNIQUE (user_id, name)
            ) STRICT;
            CREATE TABLE bodies (
              id      TEXT PRIMARY KEY,
              path    TEXT NOT NULL UNIQUE,
              size    INTEGER NOT NULL,
              created INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE messages (
              mailbox_id   INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
              uid          INTEGER NOT NULL,
              body_id      TEXT NOT NULL REFERENCES bodies(id),
              size         INTEGER NOT NULL,
              internaldate INTEGER NOT NULL,
              flags        TEXT NOT NULL DEFAULT '',
              modseq       INTEGER NOT NULL,
              PRIMARY KEY (mailbox_id, uid)
            ) STRICT;
            CREATE INDEX messages_body ON messages(body_id);
            CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
            CREATE TABLE outbound (
              queue_id     TEXT NOT NULL,
              body_id      TEXT NOT NULL REFERENCES bodies(id),
              sender       TEXT NOT NULL, -- empty: the null reverse-path <>
              recipient    TEXT NOT NULL,
              state        TEXT NOT NULL DEFAULT 'queued',
              attempts     INTEGER NOT NULL DEFAULT 0,
              next_attempt INTEGER NOT NULL,
              queued       INTEGER NOT NULL,
              PRIMARY KEY (queue_id, recipient)
            ) STRICT;
            CREATE INDEX outbound_due ON outbound(state, next_attempt);
            CREATE INDEX outbound_body ON outbound(body_id);
            """,
            // 2: IMAP subscriptions (RFC 9051 section 6.3.7); every mailbox starts subscribed.
            """
            ALTER TABLE mailboxes ADD COLUMN subscribed INTEGER NOT NULL DEFAULT 1;
            """,
            // 3: greylisting (moat.policy.greylist).
            GREYLIST,
            // 4: per-user allow and block lists (moat.store.UserLists, docs/adr/0010-per-user-lists.md).
            """
            CREATE TABLE user_lists (
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              kind    TEXT NOT NULL CHECK (kind IN ('allow', 'block')),
              entry   TEXT NOT NULL, -- canonical: address key, @domain or CIDR
              PRIMARY KEY (user_id, kind, entry)
            ) STRICT;
            """,
            // 5: outbound delivery (moat.store.OutboundQueue, docs/adr/0011-outbound-delivery.md).
            OUTBOUND_DELIVERY,
            // 6: the alias whose expansion queued this row ('' = not forwarded); the
            // runner ARC-seals such a message for the alias's domain (docs/adr/0013-arc-forwarding.md).
            """
            ALTER TABLE outbound ADD COLUMN forwarded_by TEXT NOT NULL DEFAULT '';
            """,
            // 7: parsed MIME structure per body (IMAP ENVELOPE/BODY/BODYSTRUCTURE wire forms and
            // the top-level header), filled on first use; a cache: losing it costs a re-parse.
            BODY_SUMMARIES,
            // 8: per-user storage quota in octets (RFC 9208); NULL: the configured default.
            """
            ALTER TABLE users ADD COLUMN quota INTEGER;
            """,
            // 9: per-mailbox counters kept by triggers (STATUS, SELECT, quota usage without a scan).
            MAILBOX_COUNTERS,
            // 10: header fields for SEARCH per body (docs/adr/0017-summaries-at-arrival.md).
            BODY_SEARCH,
            // 11: what an IMAP session reads of every message (Mailboxes.scan), in UID order from
            // one index without a table lookup per row: about half the time of the scan
            // (docs/adr/0018-compact-selected-mailbox.md); costs one more index entry per message.
            """
            CREATE INDEX messages_view ON messages(mailbox_id, uid, modseq, flags, size, internaldate);
            """,
            // 12: header fields known only at end of DATA (Received, Authentication-Results,
            // DKIM-Signature), stored with the row instead of copying the body file to put them in
            // front; readers concatenate (docs/adr/0020-trace-prefix-in-the-index-row.md).
            """
            ALTER TABLE bodies ADD COLUMN prefix BLOB;
            """,
            // 13: values that must never repeat after their rows are deleted (Counters): the last
            // UIDVALIDITY and mailbox id handed out (RFC 9051 section 2.3.1.1).
            """
            CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
            INSERT INTO counters(name, value) SELECT 'uidvalidity', coalesce(max(uidvalidity), 0) FROM mailboxes;
            INSERT INTO counters(name, value) SELECT 'mailbox_id', coalesce(max(id), 0) FROM mailboxes;
            """);


    static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Brings the database to the latest version; refuses a database newer than this code. */
    static void migrate(Connection c) throws SQLException {
        int current = version(c);
        if (current > MIGRATIONS.size())
            throw new StoreException("index.db has schema version " + current + ", this Moat knows up to "
                    + MIGRATIONS.size() + ": refusing to downgrade");
        for (int v = current; v < MIGRATIONS.size(); v++) {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                try {
                    // Split on ';' at line ends: the migration text has no ';' inside literals.
                    for (String sql : MIGRATIONS.get(v).split(";\\s*\\n")) {
                        if (!sql.isBlank()) s.execute(sql);
                    }
                    // user_version lives in the database header and is part of the transaction.
                    s.execute("PRAGMA user_version = " + (v + 1));
                    s.execute("COMMIT");
                } catch (SQLException e) {
                    s.execute("ROLLBACK");
                    throw e;
                }
            }
        }
    }
}
