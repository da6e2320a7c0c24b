package moat.server.cli;

import moat.core.Domain;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import moat.server.postmaster.PostmasterDirectory;
import moat.server.postmaster.PostmasterSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code moat domain add|del|list}: the domains Moat accepts mail for. */
@Command(name = "domain", description = "Manage local domains.", mixinStandardHelpOptions = true)
final class DomainCommand {
    @ParentCommand
    MoatCommand moat;

    @Command(name = "add", description = "Accept mail for DOMAIN.")
    int add(@Parameters(paramLabel = "DOMAIN") Domain domain) throws Exception {
        Config config = moat.config();
        return moat.withDirectory(dir -> {
            if (!dir.addDomain(domain)) return fail("domain " + domain + " already exists");
            moat.out().println("added domain " + domain);
            // RFC 5321 section 4.5.1 / RFC 2142: say where the domain's role mail lands (docs/adr/0024).
            moat.out().println(new PostmasterDirectory(dir, config.get(ServerSettings.HOSTNAME),
                    PostmasterDirectory.configured(config.get(PostmasterSettings.POSTMASTER))).describe(domain));
            return 0;
        });
    }

    @Command(name = "del", description = "Stop accepting mail for DOMAIN.")
    int del(@Parameters(paramLabel = "DOMAIN") Domain domain) throws Exception {
        return moat.withDirectory(dir -> {
            if (!dir.removeDomain(domain)) return fail("no such domain: " + domain);
            moat.out().println("removed domain " + domain);
            return 0;
        });
    }

    @Command(name = "list", description = "List local domains.")
    int list() throws Exception {
        return moat.withDirectory(dir -> {
            for (Domain d : dir.domains().stream().sorted().toList()) {
                String unicode = d.unicode();
                moat.out().println(unicode.equals(d.ascii()) ? d.ascii() : d.ascii() + " (" + unicode + ")");
            }
            return 0;
        });
    }

    private int fail(String message) {
        moat.err().println("moat: " + message);
        return 1;
    }
}
