package moat.server.cli;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import moat.core.Domain;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import moat.server.mailauth.DkimKeyStore;
import moat.server.mailauth.MailAuthSettings;
import moat.server.policy.DnsSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code moat dkim keygen|check DOMAIN}: signing keys under data_dir/dkim/DOMAIN/ and whether
 * DNS publishes them. A running server picks new keys up when it restarts: generate, publish,
 * check, then restart (docs/adr/0009).
 */
@Command(name = "dkim", description = "DKIM signing keys.", mixinStandardHelpOptions = true)
final class DkimCommand {
    @ParentCommand
    MoatCommand moat;

    @Command(name = "keygen", description = "Generate an Ed25519 and an RSA key for DOMAIN and print the TXT records to publish.")
    int keygen(@Parameters(paramLabel = "DOMAIN") Domain domain) throws Exception {
        Config c = moat.config();
        DkimKeyStore store = new DkimKeyStore(c.path(ServerSettings.DATA_DIR));
        List<DkimKeyStore.Published> keys = store.generate(domain, c.get(MailAuthSettings.DKIM_SELECTOR_ED25519),
                c.get(MailAuthSettings.DKIM_SELECTOR_RSA), c.get(MailAuthSettings.DKIM_RSA_BITS),
                LocalDate.now(Clock.systemUTC().withZone(ZoneOffset.UTC)));
        moat.out().println("; publish these records, check with: moat dkim check " + domain.ascii()
                + "; then restart moat to sign with them");
        for (DkimKeyStore.Published p : keys) moat.out().println(DnsRecords.txtLine(p.name(), p.record()));
        return 0;
    }

    @Command(name = "check", description = "Look up the published DKIM records of DOMAIN and compare them with its keys.")
    int check(@Parameters(paramLabel = "DOMAIN") Domain domain) throws Exception {
        Config c = moat.config();
        List<DkimKeyStore.Published> keys = new DkimKeyStore(c.path(ServerSettings.DATA_DIR)).published(domain);
        if (keys.isEmpty()) {
            moat.err().println("moat: no DKIM keys for " + domain.ascii() + " (run: moat dkim keygen " + domain.ascii() + ")");
            return 1;
        }
        Resolver dns = DnsSettings.resolver(c, Clock.systemUTC());
        boolean allOk = true;
        for (DkimKeyStore.Published p : keys) {
            String state = state(dns, p);
            allOk &= state.equals("ok");
            moat.out().println(state + " " + p.name() + " (" + p.algorithm().token() + ")");
        }
        return allOk ? 0 : 1;
    }

    /** ok, missing, wrong (another key is published) or error (DNS failure). */
    static String state(Resolver dns, DkimKeyStore.Published p) {
        return switch (dns.txt(p.name())) {
            case DnsResult.Answer<List<String>> a -> {
                List<String> dkim = a.records().stream().filter(r -> r.contains("p=")).toList();
                if (dkim.isEmpty()) yield "missing";
                yield dkim.size() == 1 && DnsRecords.sameDkimKey(p.record(), dkim.getFirst()) ? "ok" : "wrong";
            }
            case DnsResult.NxDomain<List<String>> n -> "missing";
            case DnsResult.NoData<List<String>> n -> "missing";
            case DnsResult.TempFail<List<String>> t -> "error (" + t.why() + ")";
        };
    }
}
