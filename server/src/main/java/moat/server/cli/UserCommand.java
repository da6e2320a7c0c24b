package moat.server.cli;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalLong;
import moat.core.config.Units;
import moat.server.imap.ImapSettings;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.Directory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code moat user add|passwd|del|quota|list}, and {@code moat user allow|block ...} ({@link UserListCommand}). There is deliberately no password option: see
 * {@link PasswordSource}.
 */
@Command(name = "user", description = "Manage users (mailboxes with a login).", mixinStandardHelpOptions = true,
        subcommands = {UserListCommand.Allow.class, UserListCommand.Block.class})
final class UserCommand {
    @ParentCommand
    MoatCommand moat;

    @Command(name = "add", description = "Add a user; the password is read from the terminal or one line of stdin.")
    int add(@Parameters(paramLabel = "ADDRESS") EmailAddress user) throws Exception {
        return moat.withDirectory(dir -> {
            // Checked before asking for the password, so nobody types one for nothing.
            if (!dir.isLocalDomain(user.domain()))
                return fail("domain " + user.domain() + " is not local: first run: moat domain add " + user.domain());
            if (exists(dir, user)) return fail("user " + user + " already exists");
            char[] pw = PasswordSource.readNew(moat.passwords(), "Password for " + user);
            try {
                dir.addUser(user, pw);
            } finally {
                Arrays.fill(pw, '\0');
            }
            moat.out().println("added user " + user);
            return 0;
        });
    }

    @Command(name = "passwd", description = "Set a user's password (read like for add).")
    int passwd(@Parameters(paramLabel = "ADDRESS") EmailAddress user) throws Exception {
        return moat.withDirectory(dir -> {
            if (!exists(dir, user)) return fail("no such user: " + user);
            char[] pw = PasswordSource.readNew(moat.passwords(), "New password for " + user);
            try {
                if (!dir.setPassword(user, pw)) return fail("no such user: " + user);
            } finally {
                Arrays.fill(pw, '\0');
            }
            moat.out().println("password changed for " + user);
            return 0;
        });
    }

    @Command(name = "del", description = "Remove a user (its stored mail is not deleted here).")
    int del(@Parameters(paramLabel = "ADDRESS") EmailAddress user) throws Exception {
        return moat.withDirectory(dir -> {
            if (!dir.removeUser(user)) return fail("no such user: " + user);
            moat.out().println("removed user " + user);
            return 0;
        });
    }

    @Command(name = "quota", description = "Show or set a user's storage quota (RFC 9208 STORAGE, all mailboxes):"
            + " a size like 2GiB or 500MiB, or 'default' for imap.default_quota.")
    int quota(@Parameters(paramLabel = "ADDRESS") EmailAddress user,
              @Parameters(paramLabel = "SIZE", arity = "0..1") Optional<String> size) throws Exception {
        long fallback = moat.config().get(ImapSettings.DEFAULT_QUOTA);
        return moat.withDirectory(dir -> {
            if (!exists(dir, user)) return fail("no such user: " + user);
            if (size.isPresent()) {
                OptionalLong octets;
                if (size.get().equals("default")) {
                    octets = OptionalLong.empty();
                } else {
                    long n;
                    try {
                        n = Units.parseBytes(size.get());
                    } catch (IllegalArgumentException e) {
                        return fail(e.getMessage());
                    }
                    if (n < 1) return fail("a quota must be at least 1 byte (0 would not mean unlimited)");
                    octets = OptionalLong.of(n);
                }
                if (!dir.setQuota(user, octets)) return fail("no such user: " + user);
            }
            OptionalLong own = dir.quota(user);
            moat.out().println(user + " quota " + (own.isPresent() ? own.getAsLong() + " bytes"
                    : fallback + " bytes (default, imap.default_quota)"));
            return 0;
        });
    }

    @Command(name = "list", description = "List users, optionally of one domain.")
    int list(@Parameters(paramLabel = "DOMAIN", arity = "0..1") Optional<Domain> domain) throws Exception {
        return moat.withDirectory(dir -> {
            dir.users().stream()
                    .filter(u -> domain.map(d -> u.domain().equals(d)).orElse(true))
                    .sorted(Comparator.comparing(EmailAddress::key))
                    .forEach(u -> moat.out().println(u));
            return 0;
        });
    }

    private static boolean exists(Directory dir, EmailAddress user) {
        return dir.users().stream().anyMatch(u -> u.key().equals(user.key()));
    }

    private int fail(String message) {
        moat.err().println("moat: " + message);
        return 1;
    }
}
