package moat.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.IpPrefix;
import moat.core.Reason;
import moat.policy.dnsbl.DnsblCheck;
import moat.policy.dnsbl.DnsblZone;
import moat.policy.helo.HeloCheck;
import moat.policy.lists.Lists;
import moat.policy.lists.ListsCheck;
import moat.policy.rdns.RdnsCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One line per case: the input, the DNS (in {@link PolicyDns}) and the expected finding ("-" = none). */
class ChecksTest {
    static final moat.core.dns.Resolver DNS = PolicyDns.RESOLVER;

    static CheckState state(String ip, String helo, String sender) throws Exception {
        CheckState s = new CheckState(InetAddress.getByName(ip));
        if (!helo.equals("-")) s.helo(helo);
        s.newTransaction(sender.equals("-") ? Optional.empty() : Optional.of(EmailAddress.of(sender)));
        return s;
    }

    static String finding(Verdict v) {
        return switch (v) {
            case Verdict.NoOpinion n -> "-";
            case Verdict.Accept a -> "accept";
            case Verdict.Reject r -> r.reason().id();
            case Verdict.Defer d -> "defer " + d.reason().id();
            case Verdict.Score s -> s.reason().id() + " " + s.points();
            case Verdict.Quarantine q -> "quarantine " + q.reason().id();
            case Verdict.AddHeader h -> "header " + h.name();
        };
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
            "NO_PTR,        192.0.2.1, -",
            "NO_PTR,        192.0.2.2, iprev.none",
            "NO_PTR,        192.0.2.3, -",
            "NO_PTR,        192.0.2.5, -",           // PTR lookup times out: no opinion
            "NOT_CONFIRMED, 192.0.2.1, -",
            "NOT_CONFIRMED, 192.0.2.2, -",
            "NOT_CONFIRMED, 192.0.2.3, iprev.fail",
            "NOT_CONFIRMED, 192.0.2.5, -",
            "NOT_CONFIRMED, 2001:db8::1, -",
            "NOT_CONFIRMED, ::ffff:192.0.2.1, -",   // IPv4-mapped client is looked up as IPv4
            "GENERIC,       192.0.2.1, -",
            "GENERIC,       192.0.2.4, iprev.generic",
            "GENERIC,       192.0.2.6, iprev.generic",
            "GENERIC,       192.0.2.2, -",
    })
    void reverseDns(RdnsCheck.Rule rule, String ip, String expected) throws Exception {
        assertThat(finding(new RdnsCheck(rule, DNS).connect(state(ip, "-", "-")))).isEqualTo(expected);
    }

    static final HeloCheck.Identity US = new HeloCheck.Identity(
            d -> d.equals(Domain.of("mx.us.example")) || d.equals(Domain.of("us.example")),
            ip -> ip.getHostAddress().equals("203.0.113.25"));

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
            "INVALID,          helo.good.example,       -",
            "INVALID,          bad_name!,               helo.invalid",
            "INVALID,          a..b,                    helo.invalid",
            "INVALID,          [192.0.2.1],             -",
            "INVALID,          [300.1.1.1],             helo.invalid",
            "INVALID,          [IPv6:2001:db8::1],      -",
            "INVALID,          trailing.dot.example.,   -",
            "NON_FQDN,         localhost,               helo.non_fqdn",
            "NON_FQDN,         helo.good.example,       -",
            "NON_FQDN,         [192.0.2.1],             -",
            "FORGED,           mx.us.example,           helo.forged",
            "FORGED,           US.EXAMPLE,              helo.forged",
            "FORGED,           [203.0.113.25],          helo.forged",
            "FORGED,           helo.good.example,       -",
            "FORGED,           [192.0.2.1],             -",
            "LITERAL_MISMATCH, [192.0.2.1],             -",
            "LITERAL_MISMATCH, [192.0.2.99],            helo.literal_mismatch",
            "LITERAL_MISMATCH, [203.0.113.25],          -",     // that one is FORGED instead
            "UNRESOLVABLE,     helo.good.example,       -",
            "UNRESOLVABLE,     mxonly.good.example,     -",
            "UNRESOLVABLE,     exists.good.example,     helo.unresolvable",
            "UNRESOLVABLE,     nowhere.good.example,    helo.unresolvable",
            "UNRESOLVABLE,     slow.example,            -",     // timeout: no opinion
            "UNRESOLVABLE,     mx.us.example,           -",     // ours: FORGED decides
            "UNRESOLVABLE,     localhost,               -",     // NON_FQDN decides
    })
    void helo(HeloCheck.Rule rule, String helo, String expected) throws Exception {
        assertThat(finding(new HeloCheck(rule, DNS, US).helo(state("192.0.2.1", helo, "-")))).isEqualTo(expected);
    }

    static final List<DnsblZone> ZONES = List.of(DnsblZone.parse("bl.example weight=7"),
            DnsblZone.parse("bl2.example weight=3 codes=127.0.0.4/31"), DnsblZone.parse("weird.example"));

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "192.0.2.1,      -",
            "192.0.2.66,     dnsbl.listed 10",       // bl (7) + bl2 (3); weird.example's 10.0.0.1 ignored
            "192.0.2.67,     -",                     // 127.255.255.254 = list error, not a listing
            "192.0.2.68,     -",                     // timeout: never a listing
            "2001:db8::66,   dnsbl.listed 7",        // IPv6 nibbles (RFC 5782 2.4)
    })
    void dnsbl(String ip, String expected) throws Exception {
        assertThat(finding(new DnsblCheck(DnsblCheck.Kind.IP, ZONES, DNS).connect(state(ip, "-", "-")))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
            "helo.good.example, a@good.example,    -, -",
            "spammy.example,    a@good.example,    rhsbl.listed 5, -",
            "helo.good.example, a@spammy.example,  -, rhsbl.listed 5",
            "[192.0.2.1],       a@slow.example,    -, -",
    })
    void rhsbl(String helo, String sender, String atHelo, String atMail) throws Exception {
        DnsblCheck c = new DnsblCheck(DnsblCheck.Kind.DOMAIN, List.of(DnsblZone.parse("dbl.example weight=5")), DNS);
        CheckState s = state("192.0.2.1", helo, sender);
        assertThat(finding(c.helo(s))).isEqualTo(atHelo);
        assertThat(finding(c.mailFrom(s))).isEqualTo(atMail);
    }

    static final ListsCheck LISTS = new ListsCheck(
            new Lists(List.of(IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("2001:db8:a::/48")),
                    Set.of("Friend@partner.example"), List.of(Domain.of("trusted.example")), Set.of("relay.partner.example")),
            new Lists(List.of(IpPrefix.parse("203.0.113.0/24"), IpPrefix.parse("2001:db8:bad::/48")),
                    Set.of("spam@anywhere.example"), List.of(Domain.of("spam.example")), Set.of("bad.helo.example")));

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
            "192.0.2.1,          helo.good.example,      a@good.example,            -, -, -",
            "198.51.100.9,       helo.good.example,      a@good.example,            accept, -, -",
            "::ffff:198.51.100.9, helo.good.example,     a@good.example,            accept, -, -",
            "2001:db8:a::5,      helo.good.example,      a@good.example,            accept, -, -",
            "203.0.113.9,        helo.good.example,      a@good.example,            list.denied, -, -",
            "2001:db8:bad::1,    helo.good.example,      a@good.example,            list.denied, -, -",
            "192.0.2.1,          relay.partner.example., a@good.example,            -, accept, -",
            "192.0.2.1,          BAD.helo.example,       a@good.example,            -, list.denied, -",
            "192.0.2.1,          helo.good.example,      friend@partner.example,    -, -, accept",
            "192.0.2.1,          helo.good.example,      x@mail.trusted.example,    -, -, accept",
            "192.0.2.1,          helo.good.example,      x@untrusted.example,       -, -, -",
            "192.0.2.1,          helo.good.example,      SPAM@anywhere.example,     -, -, list.denied",
            "192.0.2.1,          helo.good.example,      x@sub.spam.example,        -, -, list.denied",
            "192.0.2.1,          helo.good.example,      x@notspam.example,         -, -, -",
    })
    void lists(String ip, String helo, String sender, String atConnect, String atHelo, String atMail) throws Exception {
        CheckState s = state(ip, helo, sender);
        assertThat(finding(LISTS.connect(s))).isEqualTo(atConnect);
        assertThat(finding(LISTS.helo(s))).isEqualTo(atHelo);
        assertThat(finding(LISTS.mailFrom(s))).isEqualTo(atMail);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "zen.example,                               zen.example 10 []",
            "zen.example weight=3 codes=127.0.0.2/31,  zen.example 3 [127.0.0.2/31]",
    })
    void parsesZoneSpecs(String spec, String expected) {
        DnsblZone z = DnsblZone.parse(spec);
        assertThat(z.zone() + " " + z.weight() + " " + z.codes()).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void refusesBadZoneSpecs() {
        for (String bad : List.of("", "zen.example weight=x", "zen.example codes=10.0.0.1", "zen.example color=red", "nodot"))
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DnsblZone.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void reasonsCarryTheirCodes() {
        assertThat(Reason.DNSBL_LISTED.id()).isEqualTo("dnsbl.listed");
    }
}
