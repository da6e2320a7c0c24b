package moat.auth.authres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import moat.auth.arc.ArcResult;
import moat.auth.dkim.DkimResult;
import moat.auth.dmarc.DmarcPolicy;
import moat.auth.dmarc.DmarcResult;
import moat.auth.spf.SpfResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthenticationResultsTest {
    static SpfResult spf(SpfResult.Code code, SpfResult.Identity id, String domain) {
        return new SpfResult(code, id, domain, Optional.empty(), Optional.empty(), "");
    }

    static DkimResult dkim(DkimResult.Code code, String d, String s, String b, String reason) {
        return new DkimResult(code, d, s, "@" + d, "rsa-sha256", b, reason, false, Optional.empty());
    }

    @Test
    void rendersTheUsualThreeResults() {
        String h = new AuthenticationResults("mx.example.org")
                .spf(spf(SpfResult.Code.PASS, SpfResult.Identity.MAILFROM, "example.com"))
                .dkim(List.of(dkim(DkimResult.Code.PASS, "example.com", "sel", "AbCdEfGh", "pass")))
                .dmarc(new DmarcResult(DmarcResult.Code.PASS, "example.com", Optional.of(DmarcPolicy.REJECT),
                        DmarcPolicy.NONE, true, true, "aligned"))
                .header();
        assertEquals("Authentication-Results: mx.example.org;\r\n"
                + "\tspf=pass smtp.mailfrom=example.com;\r\n"
                + "\tdkim=pass header.d=example.com header.s=sel header.b=AbCdEfGh;\r\n"
                + "\tdmarc=pass (p=reject dis=none) header.from=example.com\r\n", h);
    }

    @Test
    void quotesValuesThatAreNotTokens() {
        String h = new AuthenticationResults("mx.example.org")
                .spf(spf(SpfResult.Code.NONE, SpfResult.Identity.HELO, "helo.example"))
                .dkim(List.of(dkim(DkimResult.Code.FAIL, "example.com", "s1", "a/b+c=d=", "body hash did not verify")))
                .iprev("pass", "2001:db8::1", "mail.example.com")
                .header();
        assertTrue(h.contains("spf=none smtp.helo=helo.example;"), h);
        assertTrue(h.contains("reason=\"body hash did not verify\""), h);
        assertTrue(h.contains("header.b=\"a/b+c=d=\""), h);
        assertTrue(h.contains("iprev=pass (mail.example.com) policy.iprev=\"2001:db8::1\""), h);
    }

    @Test
    void noResultIsNone() {
        assertEquals("Authentication-Results: mx.example.org; none\r\n", new AuthenticationResults("mx.example.org").header());
        assertTrue(new AuthenticationResults("mx").dkim(List.of()).header().contains("dkim=none"));
    }

    @Test
    void foldsBelow78ColumnsAndNeverLetsMessageTextBreakALine() {
        AuthenticationResults ar = new AuthenticationResults("mx.example.org");
        ar.dkim(List.of(dkim(DkimResult.Code.PERMERROR, "a-rather-long-signing-domain.example.com", "selector2025",
                "ABCDEFGH", "bad key record: \r\nX-Injected: yes \"quoted\" (paren)")));
        ar.arc(new ArcResult(ArcResult.Code.PASS, 3, "ok", Optional.of("lists.example.org")));
        String h = ar.header();
        for (String line : h.split("\r\n")) {
            int columns = line.replace("\t", "        ").length();
            assertTrue(columns <= 78, columns + ": " + line);
            assertTrue(!line.startsWith("X-Injected"), h);
        }
        assertTrue(h.contains("\\\"quoted\\\""), h);
        assertTrue(h.contains("arc=pass (i=3 oldest-pass d=lists.example.org)"), h);
        assertEquals(h.indexOf('\n'), h.indexOf("\r\n") + 1, "CRLF only");
    }

    @ParameterizedTest(name = "{0} claims {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
        Authentication-Results: mx.example.org; spf=pass           | mx.example.org  | true
        authentication-results:MX.Example.ORG;spf=pass             | mx.example.org  | true
        AUTHENTICATION-RESULTS :  mx.example.org ; none            | mx.example.org  | true
        Authentication-Results: (forged) mx.example.org; none      | mx.example.org  | true
        Authentication-Results: (a (nested) one)mx.example.org 1;  | mx.example.org  | true
        Authentication-Results: "mx.example.org"; none             | mx.example.org  | true
        Authentication-Results: mx.example.org.; none              | mx.example.org  | true
        Authentication-Results:\\r\\n\\tmx.example.org;\\r\\n\\tnone | mx.example.org  | true
        Authentication-Results: mx.example.org.evil; none          | mx.example.org  | false
        Authentication-Results: other.example; spf=pass            | mx.example.org  | false
        Authentication-Results: (mx.example.org) other.example;    | mx.example.org  | false
        ARC-Authentication-Results: i=1; mx.example.org; none      | mx.example.org  | false
        X-Authentication-Results: mx.example.org; none             | mx.example.org  | false
        Authentication-Results:                                    | mx.example.org  | false
        """)
    void recognisesFieldsThatClaimOurId(String line, String id, boolean expected) {
        assertEquals(expected, AuthenticationResults.claims(line.replace("\\r\\n", "\r\n").replace("\\t", "\t"), id));
    }
}
