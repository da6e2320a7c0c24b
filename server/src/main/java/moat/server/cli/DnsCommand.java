package moat.server.cli;

import java.net.InetAddress;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import moat.auth.spf.Spf;
import moat.auth.spf.SpfResult;
import moat.core.Domain;
import moat.core.dns.DnsName;
import moat.core.dns.DnsResult;
import moat.core.dns.Mx;
import moat.core.dns.Resolver;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import moat.server.hostname.HostNameCheck;
import moat.server.hostname.LocalHost;
import moat.server.mailauth.DkimKeyStore;
import moat.server.policy.DnsSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code moat dns records|check DOMAIN}: every record a domain served by this host should
 * publish (MX to server.hostname, the MX host's A/AAAA and the PTR its provider must set, SPF,
 * DKIM, DMARC, MTA-STS and TLS-RPT), and whether DNS has them, one line each: ok, missing or
 * wrong ("check" for what only the admin can judge, such as an address behind NAT).
 */
@Command(name = "dns", description = "DNS records to publish for a domain.", mixinStandardHelpOptions = true)
final class DnsCommand {
    @ParentCommand
    MoatCommand moat;

    @Command(name = "records", description = "Print the records DOMAIN should publish (zone-file syntax).")
    int records(@Parameters(paramLabel = "DOMAIN") Domain domain) throws Exception {
        Config c = moat.config();
        String d = domain.ascii();
        String host = c.get(ServerSettings.HOSTNAME);
        var out = moat.out();
        HostNameCheck.Report report = HostNameCheck.check(host, c.isSet(ServerSettings.HOSTNAME),
                DnsSettings.resolver(c, Clock.systemUTC()), LocalHost.system());
        for (String w : report.warning()) out.println("; " + w);
        out.println(d + ". IN MX 10 " + host + ".");
        mxHost(report).forEach(out::println);
        out.println(DnsRecords.txtLine(d, spf()));
        List<DkimKeyStore.Published> keys = new DkimKeyStore(c.path(ServerSettings.DATA_DIR)).published(domain);
        if (keys.isEmpty()) out.println("; DKIM: no keys yet, run: moat dkim keygen " + d);
        for (DkimKeyStore.Published p : keys) out.println(DnsRecords.txtLine(p.name(), p.record()));
        out.println(DnsRecords.txtLine("_dmarc." + d, dmarc(d)));
        out.println(DnsRecords.txtLine("_mta-sts." + d, "v=STSv1; id="
                + DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(Clock.systemUTC().withZone(ZoneOffset.UTC))))
                + " ; placeholder: MTA-STS also needs https://mta-sts." + d + "/.well-known/mta-sts.txt (RFC 8461)");
        out.println(DnsRecords.txtLine("_smtp._tls." + d, tlsRpt(d)) + " ; TLS reports (RFC 8460)");
        return 0;
    }

    /**
     * The MX host's A/AAAA records and the PTR records its provider must set: a static address
     * whose PTR names the MX host, and that name resolving back (iprev, RFC 8601 section 3), is
     * what receiving servers check first.
     */
    static List<String> mxHost(HostNameCheck.Report report) {
        String host = report.name();
        List<String> out = new ArrayList<>();
        List<InetAddress> addresses = HostNameCheck.publicAddresses(report);
        if (addresses.isEmpty()) {
            List<String> known = report.local().stream().filter(a -> !a.isLinkLocalAddress())
                    .map(a -> a.getHostAddress().replaceFirst("%.*$", "")).toList();
            out.add("; The MX host " + host + ": this host knows only private or loopback addresses ("
                    + (known.isEmpty() ? "none" : String.join(", ", known)) + "), and " + host
                    + " resolves to no public one.");
            out.add("; Publish the public address your provider gives this host (behind NAT: the one forwarded to it):");
            out.add("; " + host + ". IN A <public IPv4 address>   (and AAAA <public IPv6 address> if it has one)");
            out.add("; and ask the provider to set the PTR of that address to " + host + ".");
            return out;
        }
        out.add("; The MX host, in the zone that holds " + host + " (A/AAAA: this host's public addresses):");
        for (InetAddress a : addresses)
            out.add(host + ". IN " + (a instanceof java.net.Inet4Address ? "A " : "AAAA ") + literal(a));
        out.add("; Reverse DNS (PTR): not in your zone; ask the owner of each address (your hosting or network provider)"
                + " to set it:");
        for (InetAddress a : addresses) out.add(DnsName.reverse(a) + ". IN PTR " + host + ".");
        return out;
    }

    private static String literal(InetAddress a) {
        return a.getHostAddress().replaceFirst("%.*$", "");
    }

    static String spf() {
        return "v=spf1 mx -all";
    }

    static String dmarc(String d) {
        return "v=DMARC1; p=quarantine; rua=mailto:postmaster@" + d;
    }

    static String tlsRpt(String d) {
        return "v=TLSRPTv1; rua=mailto:postmaster@" + d;
    }

    @Command(name = "check", description = "Read DOMAIN's records back from DNS: ok, missing or wrong, one line each.")
    int check(@Parameters(paramLabel = "DOMAIN") Domain domain) throws Exception {
        Config c = moat.config();
        String d = domain.ascii();
        String host = c.get(ServerSettings.HOSTNAME);
        Resolver dns = DnsSettings.resolver(c, Clock.systemUTC());
        boolean ok = true;
        ok &= line("MX", d, mx(dns, d, host));
        ok &= line("SPF", d, spf(dns, d, host));
        // The MX host's own records: A/AAAA (NAT-tolerant: never fails the check) and each address's PTR.
        HostNameCheck.Report report = HostNameCheck.check(host, c.isSet(ServerSettings.HOSTNAME), dns, LocalHost.system());
        String addressState = addressState(report);
        ok &= line("A/AAAA", host, addressState) || addressState.startsWith("check");
        for (InetAddress a : report.resolved()) ok &= line("PTR", DnsName.reverse(a), ptr(dns, a, host));
        List<DkimKeyStore.Published> keys = new DkimKeyStore(c.path(ServerSettings.DATA_DIR)).published(domain);
        if (keys.isEmpty()) ok &= line("DKIM", d, "missing: no keys, run moat dkim keygen " + d);
        for (DkimKeyStore.Published p : keys) ok &= line("DKIM", p.name(), DkimCommand.state(dns, p));
        ok &= line("DMARC", "_dmarc." + d, tagged(dns, "_dmarc." + d, "v=DMARC1", true));
        // MTA-STS and TLS-RPT are recommended, not required: they never fail the check.
        line("MTA-STS", "_mta-sts." + d, tagged(dns, "_mta-sts." + d, "v=STSv1", false));
        line("TLS-RPT", "_smtp._tls." + d, tagged(dns, "_smtp._tls." + d, "v=TLSRPTv1", false));
        return ok ? 0 : 1;
    }

    private boolean line(String what, String name, String state) {
        int i = 0;
        while (i < state.length() && Character.isLetter(state.charAt(i))) i++;
        String rest = state.substring(i).replaceFirst("^[: (]+", "").replaceFirst("\\)$", "");
        moat.out().println(state.substring(0, i) + " " + what + " " + name + (rest.isEmpty() ? "" : ": " + rest));
        return state.startsWith("ok");
    }

    static String mx(Resolver dns, String d, String host) {
        return switch (dns.mx(d)) {
            case DnsResult.Answer<List<Mx>> a -> {
                List<String> hosts = a.records().stream().map(m -> m.host().replaceFirst("\\.$", "").toLowerCase(Locale.ROOT)).toList();
                yield hosts.contains(host.toLowerCase(Locale.ROOT)) ? "ok" : "wrong: MX is " + String.join(", ", hosts) + ", not " + host;
            }
            case DnsResult.NxDomain<List<Mx>> n -> "missing";
            case DnsResult.NoData<List<Mx>> n -> "missing";
            case DnsResult.TempFail<List<Mx>> t -> "error: " + t.why();
        };
    }

    static String addressState(HostNameCheck.Report r) {
        String found = String.join(", ", r.resolved().stream().map(DnsCommand::literal).toList());
        if (r.problems().isEmpty()) return "ok: " + found;
        return switch (r.problems().getFirst()) {
            case HostNameCheck.Problem.ElsewhereInDns e ->
                    "check: " + found + " is not on this host's interfaces (fine behind 1:1 NAT)";
            case HostNameCheck.Problem.Unchecked u -> "error: " + u.why();
            case HostNameCheck.Problem.NotInDns n -> "missing";
            case HostNameCheck.Problem.Loopback l -> "wrong: a loopback name; set server.hostname";
            case HostNameCheck.Problem.NotQualified n -> "wrong: not a fully-qualified name; set server.hostname";
        };
    }

    /** The PTR of {@code a} must name {@code host} (forward-confirmed: {@code host} resolves to {@code a}, checked by the caller). */
    static String ptr(Resolver dns, InetAddress a, String host) {
        return switch (dns.ptr(a)) {
            case DnsResult.Answer<List<String>> p -> {
                List<String> names = p.records().stream().map(n -> n.replaceFirst("\\.$", "").toLowerCase(Locale.ROOT)).toList();
                yield names.contains(host.toLowerCase(Locale.ROOT)) ? "ok: " + host
                        : "wrong: names " + String.join(", ", names) + ", not " + host + "; ask the owner of "
                        + literal(a) + " to change it";
            }
            case DnsResult.NxDomain<List<String>> n -> "missing: ask the owner of " + literal(a) + " for PTR " + host;
            case DnsResult.NoData<List<String>> n -> "missing: ask the owner of " + literal(a) + " for PTR " + host;
            case DnsResult.TempFail<List<String>> t -> "error: " + t.why();
        };
    }

    /** Evaluates the published SPF for each address of server.hostname: every one must pass. */
    static String spf(Resolver dns, String d, String host) {
        List<InetAddress> addresses = new ArrayList<>();
        if (dns.a(host) instanceof DnsResult.Answer<List<InetAddress>> a) addresses.addAll(a.records());
        if (dns.aaaa(host) instanceof DnsResult.Answer<List<InetAddress>> a) addresses.addAll(a.records());
        if (addresses.isEmpty()) return "error: " + host + " has no A or AAAA record to check SPF with";
        Spf spf = new Spf(dns);
        for (InetAddress ip : addresses) {
            SpfResult r = spf.check(ip, "postmaster@" + d, host);
            switch (r.result()) {
                case PASS -> { }
                case NONE -> {
                    return "missing";
                }
                case TEMPERROR -> {
                    return "error: " + r.problem();
                }
                default -> {
                    return "wrong: " + r.result().token() + " for " + ip.getHostAddress()
                            + (r.problem().isEmpty() ? "" : " (" + r.problem() + ")");
                }
            }
        }
        return "ok";
    }

    /** One TXT record starting with {@code version} (and for DMARC a p= tag). */
    static String tagged(Resolver dns, String name, String version, boolean needsPolicy) {
        return switch (dns.txt(name)) {
            case DnsResult.Answer<List<String>> a -> {
                List<String> found = a.records().stream().filter(r -> r.replace(" ", "").startsWith(version)).toList();
                if (found.isEmpty()) yield "missing";
                if (found.size() > 1) yield "wrong: " + found.size() + " records (exactly one allowed)";
                if (needsPolicy && !DnsRecords.tags(found.getFirst()).containsKey("p")) yield "wrong: no p= tag";
                yield "ok";
            }
            case DnsResult.NxDomain<List<String>> n -> "missing";
            case DnsResult.NoData<List<String>> n -> "missing";
            case DnsResult.TempFail<List<String>> t -> "error: " + t.why();
        };
    }
}
