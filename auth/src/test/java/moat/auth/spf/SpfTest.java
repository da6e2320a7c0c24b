package moat.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import moat.auth.spf.SpfResult.Code;
import moat.auth.spf.SpfResult.Identity;
import moat.core.dns.StaticZone;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** check() against a literal zone, one case a line: limits, identities, address families. */
class SpfTest {

    private static final StaticZone ZONE = zone();

    private static StaticZone zone() {
        StaticZone.Builder b = StaticZone.builder()
                .txt("ip.example", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all")
                .txt("helo.example", "v=spf1 a -all").a("helo.example", "192.0.2.10")
                .txt("void2.example", "v=spf1 a:nx1.example a:nx2.example ip4:192.0.2.1 -all")
                .txt("void3.example", "v=spf1 a:nx1.example a:nx2.example a:nx3.example ip4:192.0.2.1 -all")
                .txt("slow.example", "v=spf1 a:timeout.example -all").timeout("timeout.example")
                .txt("slowtxt.example", "v=spf1 -all").timeout("slowtxt.example")
                .txt("mx11.example", "v=spf1 mx -all")
                .txt("mx10.example", "v=spf1 mx -all")
                .txt("ptr.example", "v=spf1 ptr -all")
                .txt("two.example", "v=spf1 -all").txt("two.example", "v=spf1 +all")
                .txt("other.example", "google-site-verification=abc").txt("other.example", "v=spf1 ~all")
                .txt("exp.example", "v=spf1 -all exp=why.exp.example")
                .txt("why.exp.example", "%{i} may not send for %{d}; ask %{r}")
                .txt("longexp.example", "v=spf1 -all exp=why.longexp.example")
                .txt("why.longexp.example", "x".repeat(1000));
        for (int i = 0; i < 11; i++) {
            b.mx("mx11.example", i, "mx" + i + ".mx11.example").a("mx" + i + ".mx11.example", "198.51.100." + i);
            if (i < 10) b.mx("mx10.example", i, "mx" + i + ".mx10.example").a("mx" + i + ".mx10.example", "198.51.100." + i);
        }
        for (int i = 0; i < 11; i++) {
            // Eleven PTR names; only the last forward-confirms, and section 4.6.4 ignores names past the tenth.
            b.ptr(ip("203.0.113.7"), "h" + i + ".ptr.example");
            b.a("h" + i + ".ptr.example", i == 10 ? "203.0.113.7" : "203.0.113.99");
        }
        b.ptr(ip("203.0.113.8"), "h.ptr.example").a("h.ptr.example", "203.0.113.8");
        for (int i = 1; i <= 11; i++) {
            b.txt("inc" + i + ".example", "v=spf1 include:inc" + (i + 1) + ".example -all");
        }
        b.txt("inc12.example", "v=spf1 +all");
        b.txt("inc10only.example", "v=spf1 include:inc3.example -all"); // 1 + inc3..inc11 + inc12 = 10 terms
        return b.build();
    }

    record Case(String ip, String mailFrom, String helo, Code want, String mechanism) {}

    private static final List<Case> CASES = List.of(
            new Case("192.0.2.1", "a@ip.example", "h.example", Code.PASS, "ip4:192.0.2.0/24"),
            new Case("::ffff:192.0.2.1", "a@ip.example", "h.example", Code.PASS, "ip4:192.0.2.0/24"),
            new Case("2001:db8::1", "a@ip.example", "h.example", Code.PASS, "ip6:2001:db8::/32"),
            new Case("198.51.100.1", "a@ip.example", "h.example", Code.FAIL, "-all"),
            new Case("192.0.2.10", "", "helo.example", Code.PASS, "a"),
            new Case("192.0.2.11", null, "helo.example", Code.FAIL, "-all"),
            new Case("192.0.2.10", "", "localhost", Code.NONE, ""),
            new Case("192.0.2.1", "a@nowhere.example", "h.example", Code.NONE, ""),
            new Case("192.0.2.1", "a@[192.0.2.1]", "h.example", Code.NONE, ""),
            new Case("192.0.2.1", "a@void2.example", "h.example", Code.PASS, "ip4:192.0.2.1"),
            new Case("192.0.2.1", "a@void3.example", "h.example", Code.PERMERROR, ""),
            new Case("192.0.2.1", "a@slow.example", "h.example", Code.TEMPERROR, ""),
            new Case("192.0.2.1", "a@slowtxt.example", "h.example", Code.TEMPERROR, ""),
            new Case("198.51.100.9", "a@mx10.example", "h.example", Code.PASS, "mx"),
            new Case("198.51.100.9", "a@mx11.example", "h.example", Code.PERMERROR, ""),
            new Case("203.0.113.7", "a@ptr.example", "h.example", Code.FAIL, "-all"),
            new Case("203.0.113.8", "a@ptr.example", "h.example", Code.PASS, "ptr"),
            new Case("192.0.2.1", "a@two.example", "h.example", Code.PERMERROR, ""),
            new Case("192.0.2.1", "a@other.example", "h.example", Code.SOFTFAIL, "~all"),
            new Case("192.0.2.1", "a@inc1.example", "h.example", Code.PERMERROR, ""),
            new Case("192.0.2.1", "a@inc10only.example", "h.example", Code.PASS, "include:inc3.example"));

    @TestFactory
    Stream<DynamicTest> checksEachCase() {
        Spf spf = spf();
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.ip() + " " + c.mailFrom() + " " + c.helo() + " -> " + c.want(), () -> {
            SpfResult r = spf.check(ip(c.ip()), c.mailFrom(), c.helo());
            assertThat(r.result()).as(r.problem()).isEqualTo(c.want());
            assertThat(r.mechanism().orElse("")).isEqualTo(c.mechanism());
            boolean helo = c.mailFrom() == null || c.mailFrom().isEmpty();
            assertThat(r.identity()).isEqualTo(helo ? Identity.HELO : Identity.MAILFROM);
            assertThat(r.explanation().isPresent()).isEqualTo(c.want() == Code.FAIL);
        }));
    }

    @TestFactory
    Stream<DynamicTest> explainsFailures() {
        Spf spf = spf();
        return Stream.of(
                DynamicTest.dynamicTest("exp= text is macro-expanded", () -> assertThat(
                        spf.check(ip("198.51.100.1"), "a@exp.example", "h.example").explanation())
                        .hasValue("198.51.100.1 may not send for exp.example; ask mx.moat.example")),
                DynamicTest.dynamicTest("without exp= the default explanation", () -> assertThat(
                        spf.check(ip("198.51.100.1"), "a@ip.example", "h.example").explanation())
                        .hasValue(SpfSettings.defaults().defaultExplanation())),
                DynamicTest.dynamicTest("a long explanation is cut to fit a reply line", () -> assertThat(
                        spf.check(ip("198.51.100.1"), "a@longexp.example", "h.example").explanation().orElseThrow())
                        .hasSize(Spf.MAX_EXPLANATION)));
    }

    private static Spf spf() {
        return new Spf(ZONE, SpfSettings.defaults().withReceiver("mx.moat.example"),
                Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
