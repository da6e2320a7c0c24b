package moat.server.cli;

import moat.core.EmailAddress;
import moat.store.Directory;
import moat.store.StoreException;
import moat.store.UserLists;
import moat.store.UserLists.Kind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code moat user allow|block add|del|list ADDRESS [ENTRY]}: a user's own allow and block lists
 * (docs/adr/0010-per-user-lists.md). ENTRY is a sender address, a sender domain ({@code @example.com}
 * or {@code example.com}, subdomains included) or an IP address or CIDR network. The server reads
 * the lists at every RCPT, so a change applies to the next message without a restart.
 */
final class UserListCommand {
    private UserListCommand() {}

    @Command(name = "allow", mixinStandardHelpOptions = true,
            description = "A user's allow list: mail to the user from these senders or networks skips the reputation "
                    + "checks (rDNS, HELO, DNSBL, greylisting), never relay control or content checks.")
    static final class Allow {
        @ParentCommand
        UserCommand user;

        @Command(name = "add", description = "Add an entry.")
        int add(@Parameters(paramLabel = "ADDRESS") EmailAddress address, @Parameters(paramLabel = "ENTRY") UserLists.Entry entry)
                throws Exception {
            return UserListCommand.add(user.moat, Kind.ALLOW, address, entry);
        }

        @Command(name = "del", description = "Remove an entry.")
        int del(@Parameters(paramLabel = "ADDRESS") EmailAddress address, @Parameters(paramLabel = "ENTRY") UserLists.Entry entry)
                throws Exception {
            return UserListCommand.del(user.moat, Kind.ALLOW, address, entry);
        }

        @Command(name = "list", description = "List the entries, one a line.")
        int list(@Parameters(paramLabel = "ADDRESS") EmailAddress address) throws Exception {
            return UserListCommand.list(user.moat, Kind.ALLOW, address);
        }
    }

    @Command(name = "block", mixinStandardHelpOptions = true,
            description = "A user's block list: mail to the user from these senders or networks is refused at RCPT "
                    + "(550 5.7.1 user.blocked); other recipients of the same message are not affected.")
    static final class Block {
        @ParentCommand
        UserCommand user;

        @Command(name = "add", description = "Add an entry.")
        int add(@Parameters(paramLabel = "ADDRESS") EmailAddress address, @Parameters(paramLabel = "ENTRY") UserLists.Entry entry)
                throws Exception {
            return UserListCommand.add(user.moat, Kind.BLOCK, address, entry);
        }

        @Command(name = "del", description = "Remove an entry.")
        int del(@Parameters(paramLabel = "ADDRESS") EmailAddress address, @Parameters(paramLabel = "ENTRY") UserLists.Entry entry)
                throws Exception {
            return UserListCommand.del(user.moat, Kind.BLOCK, address, entry);
        }

        @Command(name = "list", description = "List the entries, one a line.")
        int list(@Parameters(paramLabel = "ADDRESS") EmailAddress address) throws Exception {
            return UserListCommand.list(user.moat, Kind.BLOCK, address);
        }
    }

    static int add(MoatCommand moat, Kind kind, EmailAddress address, UserLists.Entry entry) throws Exception {
        return moat.withDirectory(dir -> withLists(moat, dir, address, lists -> {
            if (!lists.addEntry(address, kind, entry)) return fail(moat, entry.text() + " is already on the " + kind.spelling() + " list of " + address);
            moat.out().println("added " + entry.text() + " to the " + kind.spelling() + " list of " + address);
            return 0;
        }));
    }

    static int del(MoatCommand moat, Kind kind, EmailAddress address, UserLists.Entry entry) throws Exception {
        return moat.withDirectory(dir -> withLists(moat, dir, address, lists -> {
            if (!lists.removeEntry(address, kind, entry)) return fail(moat, entry.text() + " is not on the " + kind.spelling() + " list of " + address);
            moat.out().println("removed " + entry.text() + " from the " + kind.spelling() + " list of " + address);
            return 0;
        }));
    }

    static int list(MoatCommand moat, Kind kind, EmailAddress address) throws Exception {
        return moat.withDirectory(dir -> withLists(moat, dir, address, lists -> {
            lists.entries(address, kind).forEach(e -> moat.out().println(e.text()));
            return 0;
        }));
    }

    private interface ListsAction {
        int run(UserLists lists);
    }

    /** The directory must keep lists (the SQLite one does) and the user must exist. */
    private static int withLists(MoatCommand moat, Directory dir, EmailAddress address, ListsAction action) {
        if (!(dir instanceof UserLists lists)) return fail(moat, "this directory keeps no per-user lists");
        if (dir.users().stream().noneMatch(u -> u.key().equals(address.key()))) return fail(moat, "no such user: " + address);
        try {
            return action.run(lists);
        } catch (StoreException e) {
            return fail(moat, e.getMessage());
        }
    }

    private static int fail(MoatCommand moat, String message) {
        moat.err().println("moat: " + message);
        return 1;
    }
}
