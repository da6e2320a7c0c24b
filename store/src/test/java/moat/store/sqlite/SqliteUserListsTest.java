package moat.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.StoreException;
import moat.store.UserLists.Entry;
import moat.store.UserLists.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteUserListsTest {
    @TempDir
    Path dir;

    static final EmailAddress ALICE = EmailAddress.of("alice@example.org");

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

    @Test
    void addsRemovesListsAndCascadesWithTheUser() throws Exception {
        try (SqliteStore store = StoreFixture.open(dir)) {
            store.addDomain(Domain.of("example.org"));
            store.addUser(ALICE, "alice-password-1".toCharArray());
            assertThat(store.addEntry(ALICE, Kind.BLOCK, Entry.parse("spam.example"))).isTrue();
            assertThat(store.addEntry(ALICE, Kind.BLOCK, Entry.parse("@SPAM.example"))).isFalse(); // same entry
            assertThat(store.addEntry(ALICE, Kind.ALLOW, Entry.parse("192.0.2.0/24"))).isTrue();
            assertThat(store.entries(EmailAddress.of("ALICE@example.org"), Kind.BLOCK)).extracting(Entry::text)
                    .containsExactly("@spam.example");
            assertThat(store.lists(ALICE).allow()).extracting(Entry::text).containsExactly("192.0.2.0/24");
            assertThat(store.removeEntry(ALICE, Kind.ALLOW, Entry.parse("192.0.2.0/24"))).isTrue();
            assertThat(store.removeEntry(ALICE, Kind.ALLOW, Entry.parse("192.0.2.0/24"))).isFalse();
            assertThatThrownBy(() -> store.addEntry(EmailAddress.of("nobody@example.org"), Kind.BLOCK, Entry.parse("x.example")))
                    .isInstanceOf(StoreException.class);
        }
        try (AdminDirectory admin = AdminDirectory.open(dir, StoreSettings.defaults())) { // the CLI's view, after a restart
            assertThat(admin.entries(ALICE, Kind.BLOCK)).extracting(Entry::text).containsExactly("@spam.example");
            assertThat(admin.removeUser(ALICE)).isTrue();
            admin.addUser(ALICE, "alice-password-1".toCharArray());
            assertThat(admin.lists(ALICE).block()).isEmpty(); // a new user with the old name starts clean
        }
    }
}
