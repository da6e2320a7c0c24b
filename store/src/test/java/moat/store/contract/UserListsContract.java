package moat.store.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.StoreException;
import moat.store.UserLists;
import moat.store.UserLists.Entry;
import moat.store.UserLists.Kind;
import org.junit.jupiter.api.Test;

/** {@link UserLists}: each user's allow and block lists, as the server and the admin commands see them. */
public abstract class UserListsContract extends StoreContract {
    static final EmailAddress ALICE = EmailAddress.of("alice@example.org");

    @Test
    public void addsRemovesListsAndCascadesWithTheUser() throws Exception {
        try (OpenStore s = open()) {
            s.directory().addDomain(Domain.of("example.org"));
            s.directory().addUser(ALICE, "alice-password-1".toCharArray());
            UserLists store = s.userLists();
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
        try (AdminView admin = openAdmin()) { // the CLI's view, after a restart
            assertThat(admin.userLists().entries(ALICE, Kind.BLOCK)).extracting(Entry::text).containsExactly("@spam.example");
            assertThat(admin.directory().removeUser(ALICE)).isTrue();
            admin.directory().addUser(ALICE, "alice-password-1".toCharArray());
            assertThat(admin.userLists().lists(ALICE).block()).isEmpty(); // a new user with the old name starts clean
        }
    }
}
