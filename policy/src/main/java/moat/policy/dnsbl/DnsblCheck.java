package moat.policy.dnsbl;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import moat.core.Domain;
import moat.core.Reason;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Verdict;

/**
 * DNS block lists (RFC 5782). As {@link Kind#IP} it looks the client IP up in each zone at
 * connect; as {@link Kind#DOMAIN} (an RHSBL, RFC 5782 section 2.2) it looks up the HELO domain at
 * HELO and the sender domain at MAIL. The finding is a {@link Verdict.Score} of the summed
 * weights of the listing zones, which the {@link moat.policy.FailAction} may turn into a refusal.
 *
 * <p>A timeout, SERVFAIL or any other failure of a zone is no listing: a broken or unreachable
 * list never refuses mail (RFC 5782 section 5 warns that lists go away).
 */
public final class DnsblCheck implements Check {
    /** What is looked up. */
    public enum Kind { IP, DOMAIN }

    private final Kind kind;
    private final List<DnsblZone> zones;
    private final Resolver dns;

    public DnsblCheck(Kind kind, List<DnsblZone> zones, Resolver dns) {
        this.kind = kind;
        this.zones = List.copyOf(zones);
        this.dns = dns;
    }

    @Override
    public String name() {
        return kind == Kind.IP ? "dnsbl" : "rhsbl";
    }

    @Override
    public Verdict connect(CheckState s) {
        if (kind != Kind.IP) return Verdict.noOpinion();
        InetAddress ip = s.client();
        return verdict(zones.stream().map(z -> new Query(z, z.queryFor(ip))).toList(),
                "Client host [" + ip.getHostAddress() + "]", Reason.DNSBL_LISTED);
    }

    @Override
    public Verdict helo(CheckState s) {
        if (kind != Kind.DOMAIN || s.helo().isEmpty()) return Verdict.noOpinion();
        String h = s.helo().get();
        Optional<Domain> d = h.startsWith("[") ? Optional.empty() : Domain.parse(h.endsWith(".") ? h.substring(0, h.length() - 1) : h);
        if (d.isEmpty() || !d.get().ascii().contains(".")) return Verdict.noOpinion();
        return verdict(zones.stream().map(z -> new Query(z, z.queryFor(d.get()))).toList(),
                "HELO domain " + d.get(), Reason.RHSBL_LISTED);
    }

    @Override
    public Verdict mailFrom(CheckState s) {
        if (kind != Kind.DOMAIN || s.sender().isEmpty()) return Verdict.noOpinion();
        Domain d = s.sender().get().domain();
        return verdict(zones.stream().map(z -> new Query(z, z.queryFor(d))).toList(), "Sender domain " + d,
                Reason.RHSBL_LISTED);
    }

    private record Query(DnsblZone zone, String name) {}

    private Verdict verdict(List<Query> queries, String what, Reason reason) {
        int points = 0;
        List<String> listedIn = new ArrayList<>();
        for (Query q : queries) {
            if (dns.a(q.name()) instanceof DnsResult.Answer<List<InetAddress>> a
                    && a.records().stream().anyMatch(q.zone()::listed)) {
                points += q.zone().weight();
                listedIn.add(q.zone().zone());
            }
            // NXDOMAIN: not listed. TempFail: unknown, which is never a listing.
        }
        if (listedIn.isEmpty()) return Verdict.noOpinion();
        return new Verdict.Score(points, reason, what + " listed in " + String.join(", ", listedIn));
    }
}
