package moat.auth.dmarc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import moat.auth.dkim.DkimResult;
import moat.auth.psl.PublicSuffixList;
import moat.auth.spf.SpfResult;
import moat.core.dns.Resolver;
import moat.core.dns.StaticZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7489 evaluation, one line per case: DNS answers are the literal zone below. */
class DmarcTest {
    static final Resolver ZONE = StaticZone.builder()
            .txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:d@example.com")
            .txt("_dmarc.strict.example", "v=DMARC1; p=reject; aspf=s; adkim=s")
            .txt("_dmarc.org.example", "v=DMARC1; p=quarantine; sp=reject")
            .txt("_dmarc.nosp.example", "v=DMARC1; p=quarantine")
            .txt("_dmarc.own.org.example", "v=DMARC1; p=none")
            .txt("_dmarc.pct.example", "v=DMARC1; p=reject; pct=50")
            .txt("_dmarc.pct0.example", "v=DMARC1; p=quarantine; pct=0")
            .txt("_dmarc.testing.example", "v=DMARC1; p=reject; t=y")
            .txt("_dmarc.badpct.example", "v=DMARC1; p=reject; pct=150; adkim=x; foo=bar")
            .txt("_dmarc.nop.example", "v=DMARC1; sp=none")
            .txt("_dmarc.badp.example", "v=DMARC1; p=bogus")
            .txt("_dmarc.badp-rua.example", "v=DMARC1; p=bogus; rua=mailto:agg@rua.example")
            .txt("_dmarc.badsp.example", "v=DMARC1; p=reject; sp=maybe")
            .txt("_dmarc.notfirst.example", "p=reject; v=DMARC1")
            .txt("_dmarc.lower.example", "v=dmarc1; p=reject")
            .txt("_dmarc.two.example", "v=DMARC1; p=reject")
            .txt("_dmarc.two.example", "v=DMARC1; p=none")
            .txt("_dmarc.mixed.example", "v=spf1 -all")
            .txt("_dmarc.mixed.example", "V = DMARC1 ; P = Reject ;")
            .txt("_dmarc.spfonly.example", "v=spf1 -all")
            .txt("_dmarc.example.co.uk", "v=DMARC1; p=reject")
            .txt("_dmarc.co.uk", "v=DMARC1; p=reject")
            .timeout("_dmarc.slow.example")
            .timeout("_dmarc.slow-org.example")
            .build();

    static PublicSuffixList psl() {
        try {
            return PublicSuffixList.parse(new StringReader("com\nexample\nuk\nco.uk\n"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Columns: From domain | SPF "result:domain" or "-" | DKIM "result:domain" list or "-" |
     * the random number drawn for pct= | expected result, policy (or -), disposition.
     */
    @ParameterizedTest(name = "{0} spf={1} dkim={2} rnd={3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
        example.com          | pass:example.com         | -                          | 0  | pass reject none
        example.com          | pass:bounce.example.com  | -                          | 0  | pass reject none
        example.com          | fail:example.com         | pass:mail.example.com      | 0  | pass reject none
        example.com          | softfail:example.com     | fail:example.com           | 0  | fail reject reject
        example.com          | pass:other.com           | pass:other.com             | 0  | fail reject reject
        example.com          | -                        | -                          | 0  | fail reject reject
        EXAMPLE.COM.         | pass:Example.Com         | -                          | 0  | pass reject none
        strict.example       | pass:mail.strict.example | pass:strict.example        | 0  | pass reject none
        strict.example       | pass:mail.strict.example | -                          | 0  | fail reject reject
        strict.example       | -                        | pass:sub.strict.example    | 0  | fail reject reject
        a.b.org.example      | -                        | -                          | 0  | fail reject reject
        a.b.org.example      | -                        | pass:org.example           | 0  | pass reject none
        org.example          | -                        | -                          | 0  | fail quarantine quarantine
        sub.nosp.example     | -                        | -                          | 0  | fail quarantine quarantine
        own.org.example      | -                        | -                          | 0  | fail none none
        pct.example          | -                        | -                          | 49 | fail reject reject
        pct.example          | -                        | -                          | 50 | fail reject quarantine
        pct0.example         | -                        | -                          | 0  | fail quarantine none
        testing.example      | -                        | -                          | 0  | fail reject quarantine
        badpct.example       | -                        | pass:x.badpct.example      | 99 | pass reject none
        badpct.example       | -                        | -                          | 99 | fail reject reject
        nop.example          | -                        | pass:nop.example           | 0  | permerror - none
        badp.example         | -                        | -                          | 0  | permerror - none
        badp-rua.example     | -                        | -                          | 0  | fail none none
        badsp.example        | -                        | -                          | 0  | permerror - none
        notfirst.example     | -                        | -                          | 0  | none - none
        lower.example        | -                        | -                          | 0  | none - none
        two.example          | -                        | -                          | 0  | none - none
        mixed.example        | -                        | -                          | 0  | fail reject reject
        spfonly.example      | -                        | -                          | 0  | none - none
        nowhere.example      | pass:nowhere.example     | -                          | 0  | none - none
        mail.example.co.uk   | -                        | pass:example.co.uk         | 0  | pass reject none
        mail.example.co.uk   | -                        | pass:other.co.uk           | 0  | fail reject reject
        slow.example         | pass:slow.example        | -                          | 0  | temperror - none
        x.slow-org.example   | -                        | -                          | 0  | temperror - none
        ''                   | -                        | -                          | 0  | permerror - none
        bad..name            | -                        | -                          | 0  | permerror - none
        """)
    void evaluates(String from, String spf, String dkim, int rnd, String expected) {
        Dmarc dmarc = new Dmarc(ZONE, psl(), fixed(rnd));
        DmarcResult r = dmarc.evaluate(from, spf(spf), dkim(dkim));
        String[] e = expected.split(" ");
        String got = r.result().token() + " " + r.policy().map(DmarcPolicy::token).orElse("-") + " "
                + r.disposition().token();
        assertEquals(String.join(" ", e), got, r.reason());
    }

    @Test
    void reportsWhichIdentifierAligned() {
        DmarcResult r = new Dmarc(ZONE, psl(), fixed(0))
                .evaluate("example.com", spf("pass:example.com"), dkim("fail:example.com,pass:mail.example.com"));
        assertEquals(true, r.spfAligned());
        assertEquals(true, r.dkimAligned());
        assertEquals("example.com", r.fromDomain());
        assertEquals("pass", r.result().token());
    }

    @Test
    void helloIdentityCountsWhenTheReversePathWasEmpty() {
        SpfResult helo = new SpfResult(SpfResult.Code.PASS, SpfResult.Identity.HELO, "mx.example.com",
                Optional.empty(), Optional.empty(), "");
        assertEquals(DmarcResult.Code.PASS, new Dmarc(ZONE, psl(), fixed(0)).evaluate("example.com", helo, List.of()).result());
    }

    static SpfResult spf(String s) {
        if (s.equals("-")) return null;
        String[] p = s.split(":");
        return new SpfResult(SpfResult.Code.valueOf(p[0].toUpperCase()), SpfResult.Identity.MAILFROM, p[1],
                Optional.empty(), Optional.empty(), "");
    }

    static List<DkimResult> dkim(String s) {
        List<DkimResult> out = new ArrayList<>();
        if (s.equals("-")) return out;
        for (String one : s.split(",")) {
            String[] p = one.split(":");
            out.add(new DkimResult(DkimResult.Code.valueOf(p[0].toUpperCase()), p[1], "sel", "@" + p[1],
                    "ed25519-sha256", "abcdefgh", "", false, Optional.empty()));
        }
        return out;
    }

    /** A generator that always draws {@code n} for nextInt(bound). */
    static RandomGenerator fixed(int n) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return n;
            }

            @Override
            public int nextInt(int bound) {
                return n;
            }
        };
    }
}
