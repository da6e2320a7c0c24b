package moat.store.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import moat.core.Domain;
import moat.store.Directory;
import moat.store.Directory.Alias;
import moat.store.Directory.Resolution;
import moat.store.StoreException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Directory}: domains, users and passwords, aliases and their expansion, sender ownership. */
public abstract class DirectoryContract extends StoreContract {
    protected Directory store;

    @BeforeEach
    protected void openWithADomain() throws IOException {
        store = open().directory();
        store.addDomain(Domain.of("example.org"));
    }

    @Test
    public void addsListsAndRemovesDomains() {
        assertThat(store.addDomain(Domain.of("Example.NET"))).isTrue();
        assertThat(store.addDomain(Domain.of("example.net"))).isFalse();
        assertThat(store.domains()).containsExactly(Domain.of("example.net"), Domain.of("example.org"));
        assertThat(store.isLocalDomain(Domain.of("EXAMPLE.net"))).isTrue();
        assertThat(store.removeDomain(Domain.of("example.net"))).isTrue();
        assertThat(store.removeDomain(Domain.of("example.net"))).isFalse();
        assertThat(store.isLocalDomain(Domain.of("example.net"))).isFalse();
    }

    @Test
    public void oldestUserIsTheFirstAddedNotTheFirstByName() {
        assertThat(store.oldestUser()).isEmpty();
        store.addUser(addr("zoe@example.org"), "pw".toCharArray());
        store.addUser(addr("adam@example.org"), "pw".toCharArray());
        assertThat(store.oldestUser()).contains(addr("zoe@example.org"));
        store.removeUser(addr("zoe@example.org"));
        assertThat(store.oldestUser()).contains(addr("adam@example.org"));
    }

    @Test
    public void refusesToRemoveADomainThatHasUsers() {
        store.addUser(addr("alice@example.org"), "pw".toCharArray());
        assertThatThrownBy(() -> store.removeDomain(Domain.of("example.org"))).isInstanceOf(StoreException.class);
        assertThat(store.isLocalDomain(Domain.of("example.org"))).isTrue();
    }

    @Test
    public void addsUsersOnlyInLocalDomains() {
        assertThatThrownBy(() -> store.addUser(addr("bob@elsewhere.example"), "pw".toCharArray()))
                .isInstanceOf(StoreException.class).hasMessageContaining("not local");
        assertThat(store.users()).isEmpty();
    }

    @Test
    public void refusesDuplicateUsersWhateverTheCase() {
        store.addUser(addr("alice@example.org"), "pw".toCharArray());
        assertThatThrownBy(() -> store.addUser(addr("ALICE@example.org"), "pw2".toCharArray()))
                .isInstanceOf(StoreException.class).hasMessageContaining("exists");
        assertThat(store.users()).containsExactly(addr("alice@example.org"));
    }

    @Test
    public void authenticatesCaseInsensitively() {
        char[] pw = "s3cret".toCharArray();
        store.addUser(addr("Alice@example.org"), pw);
        assertThat(pw).containsOnly('\0');
        assertThat(store.authenticate("alice@EXAMPLE.org", "s3cret".toCharArray())).contains(addr("Alice@example.org"));
        assertThat(store.authenticate("ALICE@example.org", "s3cret".toCharArray())).isPresent();
    }

    @Test
    public void refusesWrongPasswordsUnknownUsersAndGarbage() {
        store.addUser(addr("alice@example.org"), "s3cret".toCharArray());
        assertThat(store.authenticate("alice@example.org", "S3cret".toCharArray())).isEmpty();
        assertThat(store.authenticate("nobody@example.org", "s3cret".toCharArray())).isEmpty();
        assertThat(store.authenticate("not an address", "s3cret".toCharArray())).isEmpty();
        char[] pw = "s3cret".toCharArray();
        store.authenticate("nobody@example.org", pw);
        assertThat(pw).containsOnly('\0');
    }

    @Test
    public void changesPasswordsAndRemovesUsers() {
        store.addUser(addr("alice@example.org"), "old".toCharArray());
        assertThat(store.setPassword(addr("alice@example.org"), "new".toCharArray())).isTrue();
        assertThat(store.authenticate("alice@example.org", "old".toCharArray())).isEmpty();
        assertThat(store.authenticate("alice@example.org", "new".toCharArray())).isPresent();
        assertThat(store.setPassword(addr("zed@example.org"), "x".toCharArray())).isFalse();
        assertThat(store.removeUser(addr("alice@example.org"))).isTrue();
        assertThat(store.removeUser(addr("alice@example.org"))).isFalse();
        assertThat(store.authenticate("alice@example.org", "new".toCharArray())).isEmpty();
    }

    @Test
    public void resolvesUsersAndUnknowns() {
        store.addUser(addr("alice@example.org"), "pw".toCharArray());
        assertThat(store.resolve(addr("ALICE@example.org")))
                .isEqualTo(new Resolution.Deliver(List.of(addr("alice@example.org")), List.of()));
        assertThat(store.resolve(addr("nobody@example.org"))).isEqualTo(new Resolution.Unknown());
    }

    @Test
    public void expandsAliasesToLocalAndRemoteWithoutDuplicates() {
        store.addUser(addr("alice@example.org"), "pw".toCharArray());
        store.addUser(addr("bob@example.org"), "pw".toCharArray());
        store.addAlias(addr("team@example.org"), List.of(addr("alice@example.org"), addr("ops@example.org")));
        store.addAlias(addr("ops@example.org"), List.of(addr("Bob@example.org"), addr("Alice@example.org"),
                addr("pager@remote.example")));
        // Extends the alias; the domain's case does not matter, a remote local part's case may (RFC 5321 2.4).
        store.addAlias(addr("team@example.org"), List.of(addr("pager@REMOTE.example"), addr("Pager@remote.example")));
        assertThat(store.resolve(addr("Team@example.org"))).isEqualTo(new Resolution.Deliver(
                List.of(addr("alice@example.org"), addr("bob@example.org")),
                List.of(addr("pager@remote.example"), addr("Pager@remote.example"))));
        assertThat(store.aliases()).contains(new Alias(addr("ops@example.org"),
                List.of(addr("Bob@example.org"), addr("Alice@example.org"), addr("pager@remote.example"))));
    }

    @Test
    public void survivesAliasCycles() {
        store.addUser(addr("alice@example.org"), "pw".toCharArray());
        store.addAlias(addr("a@example.org"), List.of(addr("b@example.org")));
        store.addAlias(addr("b@example.org"), List.of(addr("a@example.org"), addr("alice@example.org")));
        assertThat(store.resolve(addr("a@example.org")))
                .isEqualTo(new Resolution.Deliver(List.of(addr("alice@example.org")), List.of()));
        store.addAlias(addr("loop@example.org"), List.of(addr("loop@example.org")));
        assertThat(store.resolve(addr("loop@example.org"))).isEqualTo(new Resolution.Unknown());
    }

    @Test
    public void stopsExpandingAtMaxAliasDepth() {
        store.addUser(addr("alice@example.org"), "pw".toCharArray());
        // hop0 -> hop1 -> ... -> hop8 -> alice: 9 hops, one more than max_alias_depth = 8
        for (int i = 0; i < 9; i++) {
            var target = i == 8 ? addr("alice@example.org") : addr("hop" + (i + 1) + "@example.org");
            store.addAlias(addr("hop" + i + "@example.org"), List.of(target));
        }
        assertThat(store.resolve(addr("hop0@example.org"))).isEqualTo(new Resolution.Unknown());
        assertThat(store.resolve(addr("hop1@example.org")))
                .isEqualTo(new Resolution.Deliver(List.of(addr("alice@example.org")), List.of()));
    }

    @Test
    public void refusesAliasesThatCollideWithUsersOrLiveElsewhere() {
        store.addUser(addr("alice@example.org"), "pw".toCharArray());
        assertThatThrownBy(() -> store.addAlias(addr("ALICE@example.org"), List.of(addr("x@remote.example"))))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.addAlias(addr("a@remote.example"), List.of(addr("alice@example.org"))))
                .isInstanceOf(StoreException.class);
        store.addAlias(addr("postmaster@example.org"), List.of(addr("alice@example.org")));
        assertThatThrownBy(() -> store.addUser(addr("postmaster@example.org"), "pw".toCharArray()))
                .isInstanceOf(StoreException.class);
        assertThat(store.removeAlias(addr("postmaster@example.org"))).isTrue();
        assertThat(store.removeAlias(addr("postmaster@example.org"))).isFalse();
        assertThat(store.aliases()).isEmpty();
    }

    @Test
    public void ownsOwnAddressAndAliasesThatReachTheUser() {
        store.addUser(addr("alice@example.org"), "pw".toCharArray());
        store.addUser(addr("bob@example.org"), "pw".toCharArray());
        store.addAlias(addr("sales@example.org"), List.of(addr("info@example.org")));
        store.addAlias(addr("info@example.org"), List.of(addr("alice@example.org")));
        assertThat(store.owns(addr("alice@example.org"), addr("Alice@example.org"))).isTrue();
        assertThat(store.owns(addr("alice@example.org"), addr("sales@example.org"))).isTrue();
        assertThat(store.owns(addr("bob@example.org"), addr("sales@example.org"))).isFalse();
        assertThat(store.owns(addr("bob@example.org"), addr("alice@example.org"))).isFalse();
        assertThat(store.owns(addr("alice@example.org"), addr("alice@remote.example"))).isFalse();
    }
}
