package moat.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.store.UserLists.Entry;
import moat.store.contract.Backend;
import moat.store.contract.UserListsContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract's {@link UserListsContract} on the SQLite store, and the entry syntax. */
class SqliteUserListsTest extends UserListsContract {
    @TempDir
    Path dir;

    @Test
    void parsesTheThreeEntryKindsWithoutDns() throws Exception {
        assertThat(Entry.parse("Friend@Partner.example").text()).isEqualTo("friend@partner.example");
        assertThat(Entry.parse("@Partner.example").text()).isEqualTo("@partner.example");
        assertThat(Entry.parse("partner.example").text()).isEqualTo("@partner.example");
        assertThat(Entry.parse("face.bad").text()).isEqualTo("@face.bad"); // all hex letters, still a domain
        assertThat(Entry.parse("192.0.2.7").text()).isEqualTo("192.0.2.7/32");
        assertThat(Entry.parse("192.0.2.0/24").text()).isEqualTo("192.0.2.0/24");
        assertThat(Entry.parse("2001:db8::/32").text()).isEqualTo("2001:db8:0:0:0:0:0:0/32");
        for (String bad : new String[] {"", "localhost", "a@", "@", "not an entry", "192.0.2.0/99"}) {
            assertThatThrownBy(() -> Entry.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        InetAddress client = InetAddress.getByName("192.0.2.9");
        Optional<EmailAddress> from = Optional.of(EmailAddress.of("x@mail.partner.example"));
        assertThat(Entry.parse("partner.example").matches(from, client)).isTrue();
        assertThat(Entry.parse("other.example").matches(from, client)).isFalse();
        assertThat(Entry.parse("X@mail.partner.example").matches(from, client)).isTrue();
        assertThat(Entry.parse("partner.example").matches(Optional.empty(), client)).isFalse();
        assertThat(Entry.parse("192.0.2.0/24").matches(Optional.empty(), client)).isTrue();
    }

    @Override
    protected Backend backend() {
        return new SqliteBackend(dir);
    }
}
