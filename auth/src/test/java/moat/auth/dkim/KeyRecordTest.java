package moat.auth.dkim;

import static moat.auth.dkim.Fixtures.CLOCK;
import static moat.auth.dkim.Fixtures.ED;
import static moat.auth.dkim.Fixtures.MESSAGE;
import static moat.auth.dkim.Fixtures.RSA;
import static moat.auth.dkim.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import moat.auth.dkim.DkimResult.Code;
import moat.core.dns.StaticZone;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Key records and signature tags that must not pass, one case a line: the DNS answer as literal
 * data, the signature tags, the result and the reason we expect.
 */
class KeyRecordTest {
    private static final String KEY = "sel._domainkey.example.com";
    private static final String ED_P = DkimKeys.dnsRecord(ED.getPublic()).replaceAll(".*p=", "");
    private static final String RSA_P = DkimKeys.dnsRecord(RSA.getPublic()).replaceAll(".*p=", "");
    private static final KeyPair RSA512 = rsa(512);
    private static final KeyPair RSA768 = rsa(768);
    private static final List<String> H = List.of("From", "To", "Subject");
    private static final String ED_TAGS = "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com; s=sel; h=From:To:Subject;";
    private static final String RSA_TAGS = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; h=From:To:Subject;";

    static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One case: the zone's TXT for the key name (null: none; "TIMEOUT": temp failure), the signature. */
    record Case(String name, String txt, String tags, KeyPair signer, Code want, String reason) {}

    private static List<Case> cases() {
        String edKey = "v=DKIM1; k=ed25519; p=" + ED_P;
        return List.of(
                new Case("ed25519 baseline passes", edKey, ED_TAGS, ED, Code.PASS, "pass"),
                new Case("rsa baseline passes", "v=DKIM1; p=" + RSA_P, RSA_TAGS, RSA, Code.PASS, "pass"),
                new Case("revoked key (empty p=)", "v=DKIM1; k=ed25519; p=", ED_TAGS, ED, Code.FAIL, "key revoked"),
                new Case("t=s refuses a subdomain i=", "v=DKIM1; k=ed25519; t=s; p=" + ED_P,
                        ED_TAGS + " i=@mail.example.com;", ED, Code.PERMERROR, "t=s"),
                new Case("t=s accepts i= equal to d=", "v=DKIM1; k=ed25519; t=s; p=" + ED_P,
                        ED_TAGS + " i=alice@example.com;", ED, Code.PASS, "pass"),
                new Case("t=y is reported", "v=DKIM1; k=ed25519; t=y; p=" + ED_P, ED_TAGS, ED, Code.PASS, "pass"),
                new Case("key h=sha1 only", "v=DKIM1; h=sha1; p=" + RSA_P, RSA_TAGS, RSA, Code.PERMERROR, "sha256"),
                new Case("RSA 512-bit key", "v=DKIM1; p=" + pub(RSA512), RSA_TAGS, RSA512, Code.FAIL, "too short"),
                new Case("RSA 768-bit key", "v=DKIM1; p=" + pub(RSA768), RSA_TAGS, RSA768, Code.FAIL, "too short"),
                new Case("expired x=", edKey, ED_TAGS + " t=1700000000; x=1700000600;", ED, Code.FAIL, "expired"),
                new Case("x= not after t=", edKey, ED_TAGS + " t=1700000000; x=1700000000;", ED, Code.PERMERROR, "x="),
                new Case("rsa-sha1 refused", "v=DKIM1; p=" + RSA_P, RSA_TAGS.replace("rsa-sha256", "rsa-sha1"), RSA,
                        Code.PERMERROR, "algorithm not allowed"),
                new Case("DNS timeout", "TIMEOUT", ED_TAGS, ED, Code.TEMPERROR, "key lookup failed"),
                new Case("no key record", null, ED_TAGS, ED, Code.PERMERROR, "no key"),
                new Case("key type mismatch", "v=DKIM1; k=rsa; p=" + RSA_P, ED_TAGS, ED, Code.PERMERROR, "does not match"),
                new Case("unknown k=", "v=DKIM1; k=dsa; p=" + RSA_P, RSA_TAGS, RSA, Code.PERMERROR, "unknown key type"),
                new Case("v= not first in key", "k=ed25519; v=DKIM1; p=" + ED_P, ED_TAGS, ED, Code.PERMERROR, "DKIM1"),
                new Case("key for another service", "v=DKIM1; k=ed25519; s=tlsrpt; p=" + ED_P, ED_TAGS, ED,
                        Code.PERMERROR, "not for email"),
                new Case("malformed key record", "v=DKIM1; k=ed25519; p=" + ED_P + "; p=x", ED_TAGS, ED,
                        Code.PERMERROR, "duplicate tag"),
                new Case("duplicate tag in signature", edKey, ED_TAGS + " d=example.org;", ED, Code.PERMERROR,
                        "duplicate tag"),
                new Case("malformed tag list", edKey, ED_TAGS + " =x;", ED, Code.PERMERROR, "malformed"),
                new Case("8-bit octet in a tag", edKey, ED_TAGS + " z=caf\u00e9;", ED, Code.PERMERROR, "invalid character"),
                new Case("h= without From", edKey, ED_TAGS.replace("From:", ""), ED, Code.PERMERROR, "From"),
                new Case("i= outside d=", edKey, ED_TAGS + " i=@example.org;", ED, Code.PERMERROR, "not within"),
                new Case("v=2", edKey, ED_TAGS.replace("v=1", "v=2"), ED, Code.PERMERROR, "version"),
                new Case("unknown c=", edKey, ED_TAGS.replace("relaxed/relaxed", "nowsp"), ED, Code.PERMERROR,
                        "canonicalization"),
                new Case("q= without dns/txt", edKey, ED_TAGS + " q=http;", ED, Code.PERMERROR, "q="),
                new Case("unknown tags and z= are ignored", edKey, ED_TAGS + " z=From:x@y; foo=bar;", ED, Code.PASS,
                        "pass"));
    }

    private static String pub(KeyPair kp) {
        return java.util.Base64.getEncoder().encodeToString(kp.getPublic().getEncoded());
    }

    @TestFactory
    Stream<DynamicTest> keyAndTagChecks() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            StaticZone.Builder zone = StaticZone.builder().name("example.com");
            if ("TIMEOUT".equals(c.txt())) zone.timeout(KEY);
            else if (c.txt() != null) zone.txt(KEY, c.txt());
            String jca = c.tags().contains("a=ed25519") ? "Ed25519" : "SHA256withRSA";
            String sig = Fixtures.rawSign(MESSAGE, c.tags(), Canonicalization.RELAXED, Canonicalization.RELAXED,
                    OptionalLong.empty(), H, c.signer().getPrivate(), jca);
            List<DkimResult> r = new DkimVerifier(zone.build(), DkimSettings.defaults(), CLOCK)
                    .verify(bytes(sig + MESSAGE));
            assertThat(r).singleElement().satisfies(x -> {
                assertThat(x.result()).as(x.reason()).isEqualTo(c.want());
                assertThat(x.reason()).contains(c.reason());
                assertThat(x.testing()).isEqualTo(c.txt() != null && c.txt().contains("t=y"));
            });
        }));
    }
}
