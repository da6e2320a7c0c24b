package moat.server.cli;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import moat.core.EmailAddress;
import moat.store.Directory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code moat alias add|del|list}: addresses that forward to users or to remote addresses. */
@Command(name = "alias", description = "Manage aliases.", mixinStandardHelpOptions = true)
final class AliasCommand {
    @ParentCommand
    MoatCommand moat;

    @Command(name = "add", description = "Add ALIAS (or extend it) delivering to each TARGET.")
    int add(@Parameters(index = "0", paramLabel = "ALIAS") EmailAddress alias,
            @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET") List<EmailAddress> targets)
            throws Exception {
        return moat.withDirectory(dir -> {
            if (!dir.isLocalDomain(alias.domain()))
                return fail("domain " + alias.domain() + " is not local: first run: moat domain add " + alias.domain());
            dir.addAlias(alias, targets);
            moat.out().println("alias " + alias + " -> " + join(targets));
            return 0;
        });
    }

    @Command(name = "del", description = "Remove ALIAS.")
    int del(@Parameters(paramLabel = "ALIAS") EmailAddress alias) throws Exception {
        return moat.withDirectory(dir -> {
            if (!dir.removeAlias(alias)) return fail("no such alias: " + alias);
            moat.out().println("removed alias " + alias);
            return 0;
        });
    }

    @Command(name = "list", description = "List aliases and their targets.")
    int list() throws Exception {
        return moat.withDirectory(dir -> {
            dir.aliases().stream()
                    .sorted(Comparator.comparing((Directory.Alias a) -> a.alias().key()))
                    .forEach(a -> moat.out().println(a.alias() + " -> " + join(a.targets())));
            return 0;
        });
    }

    private static String join(List<EmailAddress> targets) {
        return targets.stream().map(EmailAddress::toString).collect(Collectors.joining(", "));
    }

    private int fail(String message) {
        moat.err().println("moat: " + message);
        return 1;
    }
}
