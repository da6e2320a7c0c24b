package moat.auth.dmarc;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import moat.auth.dkim.DkimResult;
import moat.auth.dmarc.DmarcResult.Code;
import moat.auth.psl.PublicSuffixList;
import moat.auth.spf.SpfResult;
import moat.core.PeerText;
import moat.core.dns.DnsName;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;

/**
 * DMARC evaluation (RFC 7489 sections 3, 6.6): finds the policy record of the RFC5322.From
 * domain, checks whether SPF or DKIM passed for an aligned domain, and says what the domain asks
 * the receiver to do with a failing message. At most two TXT queries per message. Thread-safe
 * when the injected random generator is (use one per thread, or a thread-safe one).
 */
public final class Dmarc {
    private final Resolver dns;
    private final PublicSuffixList psl;
    private final RandomGenerator random;

    public Dmarc(Resolver dns, PublicSuffixList psl, RandomGenerator random) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.psl = Objects.requireNonNull(psl, "psl");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The outcome of policy discovery (section 6.6.3). */
    private sealed interface Discovery {
        record Found(DmarcRecord record, String at) implements Discovery {}

        record Absent(String why) implements Discovery {}

        record TempError(String why) implements Discovery {}
    }

    /**
     * @param fromDomain the RFC5322.From domain
     * @param spf        the SPF result for the MAIL FROM identity (HELO when the reverse-path was
     *                   empty, RFC 7208 section 2.4); may be null when no SPF was run
     * @param dkim       all DKIM results of the message
     */
    public DmarcResult evaluate(String fromDomain, SpfResult spf, List<DkimResult> dkim) {
        Objects.requireNonNull(dkim, "dkim");
        Optional<String> from = normalize(fromDomain);
        if (from.isEmpty()) {
            return new DmarcResult(Code.PERMERROR, fromDomain == null ? "" : printable(fromDomain), Optional.empty(),
                    DmarcPolicy.NONE, false, false, "unusable RFC5322.From domain");
        }
        String domain = from.get();
        String org = psl.organizationalDomain(domain);

        Discovery d = discover(domain);
        if (d instanceof Discovery.Absent && !org.equals(domain)) d = discover(org);

        return switch (d) {
            case Discovery.TempError t -> new DmarcResult(Code.TEMPERROR, domain, Optional.empty(), DmarcPolicy.NONE,
                    false, false, t.why());
            case Discovery.Absent a -> new DmarcResult(Code.NONE, domain, Optional.empty(), DmarcPolicy.NONE,
                    false, false, a.why());
            case Discovery.Found f -> apply(domain, f, spf, dkim);
        };
    }

    private DmarcResult apply(String domain, Discovery.Found f, SpfResult spf, List<DkimResult> dkim) {
        DmarcRecord r = f.record();
        boolean subdomainPolicy = !f.at().equals(domain); // found at the Organizational Domain
        Optional<DmarcPolicy> policy;
        if (r.policy().isEmpty() || r.badSubdomain()) {
            // Section 6.6.3 step 6: with a valid rua=, act as if p=none; otherwise no DMARC processing.
            if (!r.validRua()) {
                return new DmarcResult(Code.PERMERROR, domain, Optional.empty(), DmarcPolicy.NONE, false, false,
                        "record at _dmarc." + f.at() + " has no valid p= or sp=");
            }
            policy = Optional.of(DmarcPolicy.NONE);
        } else {
            policy = subdomainPolicy && r.subdomain().isPresent() ? r.subdomain() : r.policy();
        }

        boolean spfAligned = spf != null && spf.result() == SpfResult.Code.PASS
                && aligned(spf.domain(), domain, r.aspf());
        boolean dkimAligned = false;
        for (DkimResult k : dkim) {
            if (k.result() == DkimResult.Code.PASS && !k.domain().isEmpty() && aligned(k.domain(), domain, r.adkim())) {
                dkimAligned = true;
                break;
            }
        }
        if (spfAligned || dkimAligned) {
            String how = spfAligned && dkimAligned ? "SPF and DKIM" : spfAligned ? "SPF" : "DKIM";
            return new DmarcResult(Code.PASS, domain, policy, DmarcPolicy.NONE, spfAligned, dkimAligned,
                    how + " aligned with " + domain);
        }
        DmarcPolicy p = policy.orElseThrow();
        // Section 6.6.4: pct= applies the policy to that share of failing messages; the others
        // get the next milder policy. pct=100 needs no random number.
        DmarcPolicy disposition = r.pct() >= 100 || random.nextInt(100) < r.pct() ? p : p.milder();
        String why = "neither SPF nor DKIM aligned with " + domain + " (p=" + p.token()
                + (r.pct() < 100 ? " pct=" + r.pct() : "") + ")";
        return new DmarcResult(Code.FAIL, domain, policy, disposition, false, false, why);
    }

    /** Section 6.6.3 steps 1 to 5 for one name. */
    private Discovery discover(String domain) {
        String name = "_dmarc." + domain;
        if (!DnsName.isQueryable(name)) return new Discovery.Absent("name too long for a DMARC query");
        return switch (dns.txt(name)) {
            case DnsResult.TempFail<List<String>> t -> new Discovery.TempError("DNS error at " + name + ": " + t.why());
            case DnsResult.NxDomain<List<String>> n -> new Discovery.Absent("no DMARC record");
            case DnsResult.NoData<List<String>> n -> new Discovery.Absent("no DMARC record");
            case DnsResult.Answer<List<String>> a -> {
                List<String> records = new ArrayList<>();
                for (String t : a.records()) if (DmarcRecord.isDmarc(t)) records.add(t);
                if (records.isEmpty()) yield new Discovery.Absent("no DMARC record");
                // Step 5: several records and no record alike end discovery without a policy.
                if (records.size() > 1) yield new Discovery.Absent("several DMARC records at " + name);
                yield new Discovery.Found(DmarcRecord.parse(records.getFirst()), domain);
            }
        };
    }

    private boolean aligned(String authenticated, String from, Alignment mode) {
        Optional<String> a = normalize(authenticated);
        if (a.isEmpty()) return false;
        return switch (mode) {
            case STRICT -> a.get().equals(from);
            case RELAXED -> psl.organizationalDomain(a.get()).equals(psl.organizationalDomain(from));
        };
    }

    /** Lower-case IDNA ASCII without a trailing dot; empty when it cannot be a domain name. */
    static Optional<String> normalize(String domain) {
        if (domain == null) return Optional.empty();
        String d = domain.strip();
        if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
        try {
            d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (d.isEmpty() || !DnsName.isQueryable(d) || d.startsWith(".") || d.contains("..")
                || !d.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ';' && c != '"' && c != '\\')) {
            return Optional.empty();
        }
        return Optional.of(d);
    }

    private static String printable(String s) {
        return PeerText.token(s, 255);
    }
}
