package moat.auth.spf;

import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import moat.auth.spf.SpfRecord.Directive;
import moat.auth.spf.SpfRecord.Mechanism;
import moat.auth.spf.SpfResult.Code;
import moat.auth.spf.SpfResult.Identity;
import moat.core.IpPrefix;
import moat.core.dns.DnsName;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;

/**
 * RFC 7208 check_host(): evaluates the SPF policy of the MAIL FROM domain (or of the HELO name
 * when the reverse-path is empty) for a client address. One instance serves every session; each
 * {@link #check} keeps its own counters.
 */
public final class Spf {
    /**
     * An explanation longer than this is cut: it ends up in a 550 reply line, which RFC 5321
     * section 4.5.3.1.5 limits to 512 octets with the code and CRLF.
     */
    static final int MAX_EXPLANATION = 400;

    private final Resolver dns;
    private final SpfSettings settings;
    private final Clock clock;

    public Spf(Resolver dns, SpfSettings settings, Clock clock) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Spf(Resolver dns) {
        this(dns, SpfSettings.defaults(), Clock.systemUTC());
    }

    /**
     * Checks the MAIL FROM identity, or the HELO identity when {@code mailFromOrNull} is null or
     * empty (RFC 7208 section 2.4: "postmaster@" the HELO name).
     *
     * @param ip             the SMTP client's address; IPv4-mapped IPv6 is treated as IPv4
     * @param mailFromOrNull the reverse-path without angle brackets
     * @param helo           the HELO/EHLO argument
     */
    public SpfResult check(InetAddress ip, String mailFromOrNull, String helo) {
        Objects.requireNonNull(ip, "ip");
        String heloName = helo == null ? "" : helo;
        Identity identity;
        String local;
        String domain;
        if (mailFromOrNull == null || mailFromOrNull.isEmpty()) {
            identity = Identity.HELO;
            local = "postmaster";
            domain = heloName;
        } else {
            identity = Identity.MAILFROM;
            int at = mailFromOrNull.lastIndexOf('@');
            local = at < 0 ? "" : mailFromOrNull.substring(0, at);
            domain = at < 0 ? mailFromOrNull : mailFromOrNull.substring(at + 1);
            // Section 4.3: "If the <sender> has no local-part, substitute the string "postmaster"".
            if (local.isEmpty()) local = "postmaster";
        }
        // Section 4.3: a malformed or single-label <domain> makes check_host() return "none" at once.
        if (!isFqdn(domain)) {
            return new SpfResult(Code.NONE, identity, domain, Optional.empty(), Optional.empty(),
                    "not a fully qualified domain name: " + domain);
        }
        InetAddress client = DnsName.unmap(ip);
        Evaluation run = new Evaluation(client);
        MacroContext ctx = new MacroContext(local + "@" + domain, local, domain, domain, client, heloName,
                settings.receiver(), clock.instant().getEpochSecond(), run::validatedDomain);
        Outcome outcome;
        try {
            outcome = run.checkHost(ctx, true);
        } catch (Stop stop) {
            outcome = new Outcome(stop.code, Optional.empty(), Optional.empty(), stop.getMessage());
        }
        Optional<String> explanation = outcome.code == Code.FAIL
                ? Optional.of(outcome.explanation.orElse(settings.defaultExplanation()))
                : Optional.empty();
        return new SpfResult(outcome.code, identity, domain, outcome.mechanism, explanation, outcome.problem);
    }

    /** Section 4.3: labels of 1..63 octets, at most 253 in all, at least two labels, not a literal. */
    static boolean isFqdn(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty() || d.length() > 253) return false;
        String[] labels = d.split("\\.", -1);
        if (labels.length < 2) return false;
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63) return false;
            for (char c : label.toCharArray()) {
                if (c <= ' ' || c == '[' || c == ']' || c == '@' || c == 0x7f) return false;
            }
        }
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    private record Outcome(Code code, Optional<String> mechanism, Optional<String> explanation, String problem) {}

    /** Ends evaluation with permerror or temperror. Never escapes {@link #check}. */
    private static final class Stop extends RuntimeException {
        final Code code;

        Stop(Code code, String why) {
            super(why, null, false, false);
            this.code = code;
        }
    }

    /** The state of one check_host() tree: the section 4.6.4 counters are shared by every level. */
    private final class Evaluation {
        private final InetAddress ip;
        private int dnsTerms;
        private int voidLookups;
        private Optional<List<String>> validated = Optional.empty();

        Evaluation(InetAddress ip) {
            this.ip = ip;
        }

        Outcome checkHost(MacroContext ctx, boolean wantExplanation) {
            String domain = ctx.domain();
            Optional<String> txt = selectRecord(domain);
            if (txt.isEmpty()) return new Outcome(Code.NONE, Optional.empty(), Optional.empty(), "no SPF record at " + domain);
            SpfRecord record;
            try {
                record = SpfRecord.parse(txt.get());
            } catch (SpfSyntaxException e) {
                // Section 4.6: "If there are any syntax errors anywhere in the record, check_host() returns immediately
                // with the result "permerror", without further interpretation."
                throw new Stop(Code.PERMERROR, "syntax error in record of " + domain + ": " + e.getMessage());
            }
            for (Directive d : record.directives()) {
                if (matches(d.mechanism(), ctx)) {
                    Code code = d.qualifier().result();
                    Optional<String> exp = code == Code.FAIL && wantExplanation && record.exp().isPresent()
                            ? explanation(record.exp().get(), ctx)
                            : Optional.empty();
                    return new Outcome(code, Optional.of(d.text()), exp, "");
                }
            }
            if (record.redirect().isPresent()) {
                // Section 6.1: redirect counts as a DNS term; the explanation comes from the target's
                // record, never from this one (section 6.2).
                countTerm();
                String target = expandDomain(record.redirect().get(), ctx);
                if (!isFqdn(target)) throw new Stop(Code.PERMERROR, "redirect to malformed domain " + target);
                Outcome r = checkHost(ctx.withDomain(target), wantExplanation);
                // Section 6.1: "if no SPF record is found, or if the <target-name> is malformed, the result is a "permerror"".
                if (r.code == Code.NONE) throw new Stop(Code.PERMERROR, "redirect target " + target + " has no SPF record");
                return r;
            }
            // Section 4.7: "If none of the mechanisms match and there is no "redirect" modifier, then check_host() returns
            // a result of "neutral"".
            return new Outcome(Code.NEUTRAL, Optional.empty(), Optional.empty(), "");
        }

        /** Section 4.4 and 4.5: exactly one "v=spf1" TXT record, or none. */
        private Optional<String> selectRecord(String domain) {
            List<String> spf = new ArrayList<>();
            switch (dns.txt(domain)) {
                // Section 4.4: on a server failure or timeout check_host() "terminates immediately with the result temperror".
                case DnsResult.TempFail<List<String>> t -> throw new Stop(Code.TEMPERROR, "TXT " + domain + ": " + t.why());
                case DnsResult.NxDomain<List<String>> n -> { }
                case DnsResult.NoData<List<String>> n -> { }
                case DnsResult.Answer<List<String>> a -> {
                    for (String r : a.records()) if (SpfRecord.isSpf(r)) spf.add(r);
                }
            }
            // Section 4.5: "If the resultant record set includes more than one record, check_host() produces the
            // "permerror" result."
            if (spf.size() > 1) throw new Stop(Code.PERMERROR, "several SPF records at " + domain);
            return spf.isEmpty() ? Optional.empty() : Optional.of(spf.getFirst());
        }

        private boolean matches(Mechanism m, MacroContext ctx) {
            return switch (m) {
                case Mechanism.All a -> true;
                case Mechanism.Ip4(IpPrefix net) -> ip.getAddress().length == 4 && net.contains(ip);
                case Mechanism.Ip6(IpPrefix net) -> ip.getAddress().length == 16 && net.contains(ip);
                case Mechanism.Include(MacroString spec) -> include(spec, ctx);
                case Mechanism.A(Optional<MacroString> spec, int cidr4, int cidr6) -> {
                    countTerm();
                    String target = spec.isPresent() ? expandDomain(spec.get(), ctx) : ctx.domain();
                    yield anyInPrefix(addresses(target, true), cidr4, cidr6);
                }
                case Mechanism.Mx(Optional<MacroString> spec, int cidr4, int cidr6) -> {
                    countTerm();
                    String target = spec.isPresent() ? expandDomain(spec.get(), ctx) : ctx.domain();
                    yield mx(target, cidr4, cidr6);
                }
                case Mechanism.Ptr(Optional<MacroString> spec) -> {
                    countTerm();
                    String target = DnsName.normalize(spec.isPresent() ? expandDomain(spec.get(), ctx) : ctx.domain());
                    yield validatedNames(true).stream().anyMatch(n -> n.equals(target) || n.endsWith("." + target));
                }
                case Mechanism.Exists(MacroString spec) -> {
                    countTerm();
                    String target = expandDomain(spec, ctx);
                    // Section 5.7: "The lookup type is A even when the connection type is IPv6."
                    yield switch (dns.a(target)) {
                        case DnsResult.TempFail<List<InetAddress>> t -> throw new Stop(Code.TEMPERROR, "A " + target + ": " + t.why());
                        case DnsResult.NxDomain<List<InetAddress>> n -> countVoid(target);
                        case DnsResult.NoData<List<InetAddress>> n -> countVoid(target);
                        case DnsResult.Answer<List<InetAddress>> a -> true;
                    };
                }
            };
        }

        private boolean include(MacroString spec, MacroContext ctx) {
            countTerm();
            String target = expandDomain(spec, ctx);
            if (!isFqdn(target)) throw new Stop(Code.PERMERROR, "include of malformed domain " + target);
            // Section 5.2: the included record's explanation is never used.
            Outcome r = checkHost(ctx.withDomain(target), false);
            return switch (r.code) {
                case PASS -> true;
                case FAIL, SOFTFAIL, NEUTRAL -> false;
                case TEMPERROR -> throw new Stop(Code.TEMPERROR, r.problem);
                // Section 5.2: an included "none" is a "permerror".
                case PERMERROR, NONE -> throw new Stop(Code.PERMERROR, "include:" + target + ": " + r.problem);
            };
        }

        private boolean mx(String target, int cidr4, int cidr6) {
            List<moat.core.dns.Mx> hosts = switch (dns.mx(target)) {
                case DnsResult.TempFail<List<moat.core.dns.Mx>> t -> throw new Stop(Code.TEMPERROR, "MX " + target + ": " + t.why());
                case DnsResult.NxDomain<List<moat.core.dns.Mx>> n -> { countVoid(target); yield List.of(); }
                case DnsResult.NoData<List<moat.core.dns.Mx>> n -> { countVoid(target); yield List.of(); }
                case DnsResult.Answer<List<moat.core.dns.Mx>> a -> a.records();
            };
            // Section 4.6.4: "the evaluation of each "MX" record MUST NOT result in querying more than 10 address
            // records ... If this limit is exceeded, the "mx" mechanism MUST produce a "permerror" result."
            if (hosts.size() > settings.maxMxNames()) {
                throw new Stop(Code.PERMERROR, "MX " + target + " has " + hosts.size() + " names, over " + settings.maxMxNames());
            }
            for (moat.core.dns.Mx mx : hosts) {
                if (mx.host().isEmpty() || mx.host().equals(".")) continue; // RFC 7505 null MX
                if (anyInPrefix(addresses(mx.host(), false), cidr4, cidr6)) return true;
            }
            return false;
        }

        /** A or AAAA records of {@code name} for the client's family; a server failure is temperror (section 5). */
        private List<InetAddress> addresses(String name, boolean countVoid) {
            DnsResult<List<InetAddress>> r = ip.getAddress().length == 4 ? dns.a(name) : dns.aaaa(name);
            return switch (r) {
                case DnsResult.TempFail<List<InetAddress>> t -> throw new Stop(Code.TEMPERROR, "address lookup " + name + ": " + t.why());
                case DnsResult.NxDomain<List<InetAddress>> n -> { if (countVoid) countVoid(name); yield List.of(); }
                case DnsResult.NoData<List<InetAddress>> n -> { if (countVoid) countVoid(name); yield List.of(); }
                case DnsResult.Answer<List<InetAddress>> a -> a.records();
            };
        }

        private boolean anyInPrefix(List<InetAddress> addresses, int cidr4, int cidr6) {
            int len = ip.getAddress().length == 4 ? cidr4 : cidr6;
            for (InetAddress a : addresses) {
                InetAddress candidate = DnsName.unmap(a);
                if (candidate.getAddress().length == ip.getAddress().length && IpPrefix.of(candidate, len).contains(ip)) return true;
            }
            return false;
        }

        /**
         * Section 5.5: the PTR names of the client whose forward lookup gives the client back.
         * "If a DNS error occurs while doing the PTR RR lookup, then this mechanism fails to match";
         * a failing forward lookup skips that name. Section 4.6.4: only the first 10 names are tried.
         */
        private List<String> validatedNames(boolean countVoid) {
            List<String> names = switch (dns.ptr(ip)) {
                case DnsResult.TempFail<List<String>> t -> List.of();
                case DnsResult.NxDomain<List<String>> n -> { if (countVoid) countVoid("PTR"); yield List.of(); }
                case DnsResult.NoData<List<String>> n -> { if (countVoid) countVoid("PTR"); yield List.of(); }
                case DnsResult.Answer<List<String>> a -> a.records();
            };
            List<String> valid = new ArrayList<>();
            for (String name : names.subList(0, Math.min(names.size(), settings.maxPtrNames()))) {
                String n = DnsName.normalize(name);
                DnsResult<List<InetAddress>> r = ip.getAddress().length == 4 ? dns.a(n) : dns.aaaa(n);
                if (r instanceof DnsResult.Answer<List<InetAddress>> a
                        && a.records().stream().anyMatch(x -> DnsName.unmap(x).equals(ip))) {
                    valid.add(n);
                }
            }
            return valid;
        }

        /**
         * %{p} (section 7.3): among the validated names of the client, {@code domain} itself, else a
         * subdomain of it, else any; "unknown" when there is none. The PTR and address lookups are done once per
         * check and do not count as terms: RFC 7208 gives %{p} no budget of its own, and section 7.3 says it
         * "SHOULD NOT" be used.
         */
        String validatedDomain(String domain) {
            if (validated.isEmpty()) validated = Optional.of(validatedNames(false));
            List<String> names = validated.get();
            String d = DnsName.normalize(domain);
            for (String n : names) if (n.equals(d)) return n;
            for (String n : names) if (n.endsWith("." + d)) return n;
            return names.isEmpty() ? "unknown" : names.getFirst();
        }

        private String expandDomain(MacroString spec, MacroContext ctx) {
            String name = spec.expand(ctx);
            if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
            // Section 7.3: "When the result of macro expansion is used in a domain name query, if the expanded domain
            // name exceeds 253 characters ..., the left side is truncated to fit, by removing successive labels".
            while (name.length() > 253) {
                int dot = name.indexOf('.');
                if (dot < 0) break;
                name = name.substring(dot + 1);
            }
            return name;
        }

        /** Section 6.2: any problem fetching or expanding the explanation means "no exp= was given". */
        private Optional<String> explanation(MacroString spec, MacroContext ctx) {
            String target = expandDomain(spec, ctx);
            if (!isFqdn(target)) return Optional.empty();
            if (!(dns.txt(target) instanceof DnsResult.Answer<List<String>> a) || a.records().size() != 1) return Optional.empty();
            try {
                String text = MacroString.parseExplanation(a.records().getFirst()).expand(ctx);
                return Optional.of(text.length() > MAX_EXPLANATION ? text.substring(0, MAX_EXPLANATION) : text);
            } catch (SpfSyntaxException e) {
                return Optional.empty();
            }
        }

        private void countTerm() {
            // Section 4.6.4: "SPF implementations MUST limit the total number of those terms to 10 during SPF
            // evaluation"; exceeding it "MUST" produce permerror.
            if (++dnsTerms > settings.maxDnsTerms()) {
                throw new Stop(Code.PERMERROR, "more than " + settings.maxDnsTerms() + " DNS-querying terms");
            }
        }

        private boolean countVoid(String name) {
            // Section 4.6.4: void lookups "SHOULD" be limited to two; exceeding the limit produces "permerror".
            if (++voidLookups > settings.maxVoidLookups()) {
                throw new Stop(Code.PERMERROR, "more than " + settings.maxVoidLookups() + " void lookups (last: " + name.toLowerCase(Locale.ROOT) + ")");
            }
            return false;
        }
    }
}
