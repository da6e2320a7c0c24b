package moat.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import moat.store.Mailboxes;
import moat.store.Mailboxes.FlagMode;
import moat.store.Mailboxes.Outcome;
import moat.store.contract.Backend;
import moat.store.contract.MailboxesContract;
import moat.store.contract.OpenStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract's {@link MailboxesContract} on the SQLite store, and its summary rows' lifetime. */
class SqliteMailboxesTest extends MailboxesContract {
    @TempDir
    Path dir;

    @Override
    protected Backend backend() {
        return new SqliteBackend(dir);
    }

    @Test
    void summaryRowsGoWithTheLastBodyRow() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            long archive = m.find(ALICE, "Archive").orElseThrow().id();
            m.append(inbox, bytes("Subject: 1\r\n\r\n"), Set.of(), Instant.now());
            m.saveSummaries(inbox, java.util.Map.of(1L, new Mailboxes.Summary(7, bytes("e"), bytes("b"), bytes("s"),
                    bytes("h"), bytes("f"))));
            m.copy(inbox, Set.of(1L), archive, false);
            m.store(inbox, Set.of(1L), FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
            m.expunge(inbox, Optional.empty());
            assertThat(m.summaries(archive, List.of(1L))).hasSize(1);
            assertThat(m.delete(ALICE, "Archive")).isEqualTo(new Outcome.Done());
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
                 var rs = c.createStatement().executeQuery("SELECT count(*) FROM body_summaries")) {
                assertThat(rs.next() && rs.getLong(1) == 0).as("gone with the last body row").isTrue();
            }
        }
    }
}
