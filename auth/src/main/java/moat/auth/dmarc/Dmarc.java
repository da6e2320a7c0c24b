package moat.auth.dmarc;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import moat.auth.dkim.DkimResult;
import moat.auth.psl.PublicSuffixList;
import moat.auth.spf.SpfResult;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;

/**
 * PLACEHOLDER (h-authwire, dropped on merge of h-dmarc): just enough RFC 7489 for the server's
 * wiring tests: record discovery (domain, then organizational domain), p/sp/pct/adkim/aspf.
 */
public final class Dmarc {
    private final Resolver dns;
    private final PublicSuffixList psl;
    private final RandomGenerator random;

    public Dmarc(Resolver dns, PublicSuffixList psl, RandomGenerator random) {
        this.dns = dns;
        this.psl = psl;
        this.random = random;
    }

    public DmarcResult evaluate(String fromDomain, SpfResult spf, List<DkimResult> dkim) {
        String from = fromDomain.toLowerCase(Locale.ROOT);
        String org = psl.organizationalDomain(from);
        boolean sub = false;
        Map<String, String> tags = null;
        for (String name : from.equals(org) ? List.of(from) : List.of(from, org)) {
            DnsResult<List<String>> r = dns.txt("_dmarc." + name);
            if (r instanceof DnsResult.TempFail<List<String>> t) {
                return new DmarcResult(DmarcResult.Code.TEMPERROR, from, Optional.empty(), DmarcPolicy.NONE, false, false, t.why());
            }
            if (r instanceof DnsResult.Answer<List<String>> a) {
                List<String> recs = a.records().stream().filter(s -> s.startsWith("v=DMARC1")).toList();
                if (recs.size() == 1) {
                    tags = parse(recs.getFirst());
                    sub = !name.equals(from);
                    break;
                }
            }
        }
        if (tags == null) return new DmarcResult(DmarcResult.Code.NONE, from, Optional.empty(), DmarcPolicy.NONE, false, false, "no policy");
        DmarcPolicy p = policy(sub && tags.containsKey("sp") ? tags.get("sp") : tags.get("p"));
        boolean strictSpf = "s".equals(tags.get("aspf"));
        boolean strictDkim = "s".equals(tags.get("adkim"));
        boolean spfAligned = spf != null && spf.result() == SpfResult.Code.PASS && spf.identity() == SpfResult.Identity.MAILFROM
                && aligned(spf.domain(), from, strictSpf);
        boolean dkimAligned = dkim.stream().anyMatch(d -> d.result() == DkimResult.Code.PASS && aligned(d.domain(), from, strictDkim));
        if (spfAligned || dkimAligned) {
            return new DmarcResult(DmarcResult.Code.PASS, from, Optional.of(p), DmarcPolicy.NONE, spfAligned, dkimAligned, "aligned");
        }
        int pct = 100;
        try {
            pct = Integer.parseInt(tags.getOrDefault("pct", "100"));
        } catch (NumberFormatException e) {
            // keep 100
        }
        DmarcPolicy disposition = p;
        if (random.nextInt(100) >= pct) disposition = p == DmarcPolicy.REJECT ? DmarcPolicy.QUARANTINE : DmarcPolicy.NONE;
        return new DmarcResult(DmarcResult.Code.FAIL, from, Optional.of(p), disposition, false, false, "not aligned");
    }

    private boolean aligned(String d, String from, boolean strict) {
        String a = d.toLowerCase(Locale.ROOT);
        return strict ? a.equals(from) : psl.organizationalDomain(a).equals(psl.organizationalDomain(from));
    }

    private static DmarcPolicy policy(String p) {
        if (p == null) return DmarcPolicy.NONE;
        return switch (p.trim().toLowerCase(Locale.ROOT)) {
            case "reject" -> DmarcPolicy.REJECT;
            case "quarantine" -> DmarcPolicy.QUARANTINE;
            default -> DmarcPolicy.NONE;
        };
    }

    private static Map<String, String> parse(String record) {
        Map<String, String> m = new HashMap<>();
        for (String part : record.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) m.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
        }
        return m;
    }
}
