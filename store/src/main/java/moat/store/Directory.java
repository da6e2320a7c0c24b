package moat.store;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import moat.core.Domain;
import moat.core.EmailAddress;

/**
 * Who lives here: local domains, users with their Argon2id password hashes, and aliases.
 * Look-ups are case-insensitive on the local part ({@link EmailAddress#key()}).
 *
 * <p>Mutators return {@code false} (not an exception) when the thing to change is absent, and
 * throw {@link StoreException} for invariant violations the admin must see (adding a user to a
 * domain that is not local, a duplicate user).
 */
public interface Directory {
    boolean addDomain(Domain domain);

    boolean removeDomain(Domain domain);

    List<Domain> domains();

    boolean isLocalDomain(Domain domain);

    /** Adds a user; the password is hashed with Argon2id here and the array is wiped. */
    void addUser(EmailAddress user, char[] password);

    boolean setPassword(EmailAddress user, char[] password);

    boolean removeUser(EmailAddress user);

    /**
     * The user's own storage quota in octets (RFC 9208 STORAGE); empty when none is set (the
     * configured default applies) or there is no such user.
     */
    OptionalLong quota(EmailAddress user);

    /** Sets a user's storage quota; empty clears it back to the default. False when no such user. */
    boolean setQuota(EmailAddress user, OptionalLong octets);

    List<EmailAddress> users();

    /**
     * The user added first (still present): where postmaster@ and abuse@ go when nothing else is
     * configured (docs/adr/0024-postmaster-and-abuse.md). Empty when there is no user.
     */
    Optional<EmailAddress> oldestUser();

    /** Adds (or extends) an alias; targets may be local users or remote addresses. */
    void addAlias(EmailAddress alias, List<EmailAddress> targets);

    boolean removeAlias(EmailAddress alias);

    List<Alias> aliases();

    /**
     * Checks a login. Takes about the same time whether or not the user exists (a dummy hash is
     * verified for unknown users) so the answer does not enumerate users.
     */
    Optional<EmailAddress> authenticate(String username, char[] password);

    /** Where mail for a local-domain address goes. */
    Resolution resolve(EmailAddress recipient);

    /** True when {@code sender} is {@code user} or an alias whose targets include {@code user}. */
    boolean owns(EmailAddress user, EmailAddress sender);

    record Alias(EmailAddress alias, List<EmailAddress> targets) {
        public Alias {
            targets = List.copyOf(targets);
        }
    }

    /** The outcome of resolving a recipient in a local domain (aliases expanded, depth-bounded). */
    sealed interface Resolution {
        /**
         * Local mailboxes to deliver to, and remote addresses to forward to. Both empty: the
         * address exists but has nowhere to go yet (a role address such as postmaster@ before
         * any user exists): refuse it temporarily, never accept it into nothing.
         */
        record Deliver(List<EmailAddress> localUsers, List<EmailAddress> remote) implements Resolution {
            public Deliver {
                localUsers = List.copyOf(localUsers);
                remote = List.copyOf(remote);
            }
        }

        /** No such user or alias. */
        record Unknown() implements Resolution {}
    }
}
