package moat.policy.helo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import moat.core.Domain;
import moat.core.Reason;
import moat.core.dns.DnsName;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Verdict;

/**
 * HELO/EHLO rules (RFC 5321 section 4.1.1.1: the argument is the client's FQDN or an address
 * literal), one {@link Rule} per instance so each has its own {@link moat.policy.FailAction}.
 */
public final class HeloCheck implements Check {
    /** What is checked. */
    public enum Rule {
        /** Neither a valid domain nor an address literal. */
        INVALID("helo.invalid"),
        /** A single label ({@code localhost}, {@code PC42}). */
        NON_FQDN("helo.non_fqdn"),
        /** Our own host name, one of our local domains, or one of our addresses (not the client's). */
        FORGED("helo.forged"),
        /** An address literal that is not the client's address. */
        LITERAL_MISMATCH("helo.literal_mismatch"),
        /** A domain with no A, AAAA or MX record; a DNS failure is no opinion. */
        UNRESOLVABLE("helo.unresolvable");

        private final String name;

        Rule(String name) {
            this.name = name;
        }

        public String checkName() {
            return name;
        }
    }

    /** Who "we" are: names (host name, local domains) and addresses the client must not claim. */
    public record Identity(Predicate<Domain> isOurName, Predicate<InetAddress> isOurAddress) {}

    /** The HELO argument, classified. */
    sealed interface Parsed {
        record Literal(InetAddress address) implements Parsed {}

        record Name(Domain domain) implements Parsed {}

        record Invalid() implements Parsed {}
    }

    private final Rule rule;
    private final Resolver dns;
    private final Identity us;

    public HeloCheck(Rule rule, Resolver dns, Identity us) {
        this.rule = rule;
        this.dns = dns;
        this.us = us;
    }

    @Override
    public String name() {
        return rule.checkName();
    }

    @Override
    public Verdict helo(CheckState s) {
        if (s.helo().isEmpty()) return Verdict.noOpinion();
        String helo = s.helo().get();
        Parsed p = parse(helo);
        return switch (rule) {
            case INVALID -> p instanceof Parsed.Invalid
                    ? new Verdict.Reject(Reason.HELO_INVALID, "Invalid HELO/EHLO name: " + helo) : Verdict.noOpinion();
            case NON_FQDN -> p instanceof Parsed.Name n && !n.domain().ascii().contains(".")
                    ? new Verdict.Reject(Reason.HELO_NON_FQDN, "HELO/EHLO name " + helo + " is not fully qualified")
                    : Verdict.noOpinion();
            case FORGED -> forged(p, s.client())
                    ? new Verdict.Reject(Reason.HELO_FORGED, "HELO/EHLO " + helo + " claims to be this server")
                    : Verdict.noOpinion();
            case LITERAL_MISMATCH -> p instanceof Parsed.Literal l && !l.address().equals(s.client())
                    && !us.isOurAddress().test(l.address())
                    ? new Verdict.Reject(Reason.HELO_LITERAL_MISMATCH, "HELO/EHLO " + helo + " is not your address ["
                            + s.client().getHostAddress() + "]")
                    : Verdict.noOpinion();
            case UNRESOLVABLE -> p instanceof Parsed.Name n && n.domain().ascii().contains(".")
                    && !us.isOurName().test(n.domain()) && unresolvable(n.domain())
                    ? new Verdict.Reject(Reason.HELO_UNRESOLVABLE, "HELO/EHLO name " + helo + " does not resolve")
                    : Verdict.noOpinion();
        };
    }

    private boolean forged(Parsed p, InetAddress client) {
        return switch (p) {
            case Parsed.Literal l -> !l.address().equals(client) && us.isOurAddress().test(l.address());
            case Parsed.Name n -> us.isOurName().test(n.domain());
            case Parsed.Invalid i -> false;
        };
    }

    /** True only when every look-up answered "no such record"; any failure means "cannot tell". */
    private boolean unresolvable(Domain d) {
        List<DnsResult<?>> answers = List.of(dns.a(d.ascii()), dns.aaaa(d.ascii()));
        if (!answers.stream().allMatch(DnsResult::isVoid)) return false;
        return dns.mx(d.ascii()).isVoid();
    }

    static Parsed parse(String helo) {
        if (helo.startsWith("[") && helo.endsWith("]")) {
            String inner = helo.substring(1, helo.length() - 1);
            boolean v6 = inner.regionMatches(true, 0, "IPv6:", 0, 5);
            String literal = v6 ? inner.substring(5) : inner;
            Optional<InetAddress> ip = literal(literal, v6);
            return ip.<Parsed>map(a -> new Parsed.Literal(DnsName.unmap(a))).orElseGet(Parsed.Invalid::new);
        }
        // One trailing dot is tolerated: many clients send the absolute form.
        String name = helo.endsWith(".") ? helo.substring(0, helo.length() - 1) : helo;
        return Domain.parse(name).<Parsed>map(Parsed.Name::new).orElseGet(Parsed.Invalid::new);
    }

    private static Optional<InetAddress> literal(String text, boolean v6) {
        if (v6 ? !text.matches("[0-9A-Fa-f:.]+") || !text.contains(":") : !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return Optional.empty();
        }
        try {
            InetAddress a = InetAddress.getByName(text);
            return (a.getAddress().length == 16) == v6 ? Optional.of(a) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
