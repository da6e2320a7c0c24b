package moat.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import moat.store.MailStore;
import moat.store.StoreException;
import moat.store.contract.Backend;
import moat.store.contract.MailStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract's {@link MailStoreContract} on the SQLite store, and what only this store
 * has: the data directory's layout and lock, recovery of orphan body files, drafts tied to their
 * store, and the order of the default mailboxes' rows.
 */
class SqliteMailStoreTest extends MailStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Backend backend() {
        return new SqliteBackend(dir);
    }

    @Test
    void createsTheDataDirectoryLayout() {
        assertThat(dir.resolve("index.db")).isRegularFile();
        assertThat(dir.resolve("messages/00")).isDirectory();
        assertThat(dir.resolve("messages/ff")).isDirectory();
        try (Stream<Path> buckets = Files.list(dir.resolve("messages"))) {
            assertThat(buckets.count()).isEqualTo(256);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesDraftsOfAnotherStore(@TempDir Path other) throws IOException {
        try (SqliteStore second = StoreFixture.open(other)) {
            MailStore.Draft d = second.begin();
            assertThatThrownBy(() -> store.mail().commit(d, local(ALICE))).isInstanceOf(IllegalArgumentException.class);
            d.discard();
        }
    }

    @Test
    void refusesASecondStoreOnTheSameDirectory() {
        assertThatThrownBy(() -> StoreFixture.open(dir)).isInstanceOf(StoreException.class).hasMessageContaining("in use");
    }

    @Test
    void recoveryDeletesOrphansAndKeepsCommittedBodies() throws IOException {
        deliver(store.mail(), "kept", local(ALICE));
        MailStore.Draft crashed = store.mail().begin(); // never committed: a crash before "250"
        crashed.out().write("lost".getBytes());
        crashed.out().close();
        store.close();
        Path stray = dir.resolve("messages/7f/strayfile");
        Files.writeString(stray, "junk");
        assertThat(new SqliteBackend(dir).bodyFiles()).isEqualTo(3);

        store = open();
        assertThat(store.bodies()).isEqualTo(1);
        assertThat(stray).doesNotExist();
        assertThat(read(store.mail(), store.mail().messages(ALICE, "INBOX").getFirst())).isEqualTo("kept");
    }

    @Test
    void givesEachNewUserTheSpecialUseMailboxes() throws IOException {
        assertThat(store.mail().messages(ALICE, "Junk")).isEmpty();
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
             var rs = c.createStatement().executeQuery("SELECT m.name, coalesce(m.special_use, '') FROM mailboxes m"
                     + " JOIN users u ON u.id = m.user_id WHERE u.address_key = 'alice@example.org' ORDER BY m.id")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) sb.append(rs.getString(1)).append('=').append(rs.getString(2)).append(' ');
            assertThat(sb.toString().trim()).isEqualTo(
                    "INBOX= Sent=\\Sent Drafts=\\Drafts Junk=\\Junk Trash=\\Trash Archive=\\Archive");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
