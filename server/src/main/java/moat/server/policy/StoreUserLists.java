package moat.server.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.policy.lists.UserListsCheck;
import moat.policy.lists.UserListsCheck.Listed;
import moat.store.Directory;
import moat.store.Directory.Resolution;
import moat.store.UserLists;

/**
 * The per-user lists of the store, as the policy module asks for them: a recipient is resolved
 * (aliases expanded) to its local users, and a refusal or an exemption applies to the whole RCPT,
 * so every mailbox behind it must agree (docs/adr/0010-per-user-lists.md): all of them block, or
 * all of them allow; an alias that also forwards to remote addresses has no lists.
 *
 * <p>A store failure answers {@code NEITHER}: a block list fails open, like greylisting, rather
 * than turning a disk error into refused mail.
 */
public final class StoreUserLists implements UserListsCheck.Source {
    private final Directory directory;
    private final UserLists lists;

    public StoreUserLists(Directory directory, UserLists lists) {
        this.directory = directory;
        this.lists = lists;
    }

    @Override
    public Listed lookup(EmailAddress recipient, Optional<EmailAddress> sender, InetAddress client) {
        try {
            if (!directory.isLocalDomain(recipient.domain())) return Listed.NEITHER;
            if (!(directory.resolve(recipient) instanceof Resolution.Deliver d) || d.localUsers().isEmpty()
                    || !d.remote().isEmpty()) {
                return Listed.NEITHER;
            }
            boolean allBlock = true;
            boolean allAllow = true;
            for (EmailAddress user : d.localUsers()) {
                Listed one = judge(lists.lists(user), sender, client);
                allBlock &= one == Listed.BLOCKED;
                allAllow &= one == Listed.ALLOWED;
            }
            return allBlock ? Listed.BLOCKED : allAllow ? Listed.ALLOWED : Listed.NEITHER;
        } catch (RuntimeException e) {
            return Listed.NEITHER;
        }
    }

    /** Block wins over allow. */
    static Listed judge(UserLists.Lists l, Optional<EmailAddress> sender, InetAddress client) {
        if (any(l.block(), sender, client)) return Listed.BLOCKED;
        if (any(l.allow(), sender, client)) return Listed.ALLOWED;
        return Listed.NEITHER;
    }

    private static boolean any(List<UserLists.Entry> entries, Optional<EmailAddress> sender, InetAddress client) {
        for (UserLists.Entry e : entries) if (e.matches(sender, client)) return true;
        return false;
    }
}
