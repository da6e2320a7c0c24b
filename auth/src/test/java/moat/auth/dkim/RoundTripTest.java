package moat.auth.dkim;

import static moat.auth.dkim.Fixtures.CLOCK;
import static moat.auth.dkim.Fixtures.ED;
import static moat.auth.dkim.Fixtures.MESSAGE;
import static moat.auth.dkim.Fixtures.RSA;
import static moat.auth.dkim.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.List;
import java.util.OptionalLong;
import moat.auth.dkim.DkimResult.Code;
import moat.core.dns.StaticZone;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Moat signs, Moat verifies: every algorithm and canonicalisation, plus the over-signing and l= guards. */
class RoundTripTest {

    private static KeyPair pair(String alg) {
        return alg.equals("ed25519") ? ED : RSA;
    }

    private static DkimVerifier verifier(KeyPair kp) {
        return new DkimVerifier(StaticZone.builder().txt("sel._domainkey.example.com", DkimKeys.dnsRecord(kp.getPublic()))
                .build(), DkimSettings.defaults(), CLOCK);
    }

    private static String signed(KeyPair kp, Canonicalization hc, Canonicalization bc) {
        DkimSigner signer = new DkimSigner(new DkimSigningKey("example.com", "sel", kp.getPrivate()), hc, bc, CLOCK);
        return signer.sign(bytes(MESSAGE)) + MESSAGE;
    }

    @ParameterizedTest(name = "{0} {1}/{2}")
    @CsvSource({"ed25519, RELAXED, RELAXED", "ed25519, SIMPLE, SIMPLE", "ed25519, RELAXED, SIMPLE",
                "rsa, RELAXED, RELAXED", "rsa, SIMPLE, SIMPLE", "rsa, SIMPLE, RELAXED"})
    void signedMessagesVerify(String alg, Canonicalization hc, Canonicalization bc) {
        String m = signed(pair(alg), hc, bc);
        List<DkimResult> r = verifier(pair(alg)).verify(bytes(m));
        assertThat(r).singleElement().satisfies(x -> {
            assertThat(x.result()).as(x.reason()).isEqualTo(Code.PASS);
            assertThat(x.algorithm()).isEqualTo(alg + "-sha256");
            assertThat(x.domain()).isEqualTo("example.com");
            assertThat(x.identity()).isEqualTo("@example.com");
            assertThat(x.partialBody()).isFalse();
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ed25519", "rsa"})
    void theFieldIsFoldedBelow78ColumnsAndOverSignsFromToSubjectDate(String alg) {
        String m = signed(pair(alg), Canonicalization.RELAXED, Canonicalization.RELAXED);
        String field = m.substring(0, m.indexOf("\r\nFrom:"));
        assertThat(field.split("\r\n")).allSatisfy(line -> assertThat(line.length()).isLessThan(78));
        assertThat(java.util.Arrays.asList(field.split("\r\n")).subList(1, field.split("\r\n").length)).allSatisfy(line -> assertThat(line).startsWith(" "));
        String h = field.replaceAll("\r\n ", "").replaceAll("(?s).*[ ;]h=([^;]*);.*", "$1");
        assertThat(h).isEqualTo("From:From:To:To:Subject:Subject:Date:Date:Message-ID:List-Id");
        assertThat(field).contains("t=" + Fixtures.NOW.getEpochSecond() + ";").doesNotContain("l=");
    }

    @ParameterizedTest(name = "{0} at the {1}")
    @CsvSource({"From: Mallory <m@evil.example>, top", "From: Mallory <m@evil.example>, bottom",
                "Subject: Pay now, top", "Subject: Pay now, bottom", "To: x@evil.example, top",
                "Date: Mon, 2 Mar 2026 00:00:00 +0000, bottom"})
    void anAddedOverSignedFieldBreaksTheSignature(String extra, String where) {
        String m = signed(ED, Canonicalization.RELAXED, Canonicalization.RELAXED);
        String tampered = where.equals("top") ? extra + "\r\n" + m : m.replace("\r\n\r\n", "\r\n" + extra + "\r\n\r\n");
        assertThat(verifier(ED).verify(bytes(tampered))).singleElement()
                .satisfies(x -> assertThat(x.result()).isEqualTo(Code.FAIL));
    }

    @Test
    void aFieldOutsideTheSignedSetMayBeAdded() {
        String m = signed(ED, Canonicalization.RELAXED, Canonicalization.RELAXED);
        assertThat(verifier(ED).verify(bytes("Received: by another relay\r\n" + m))).singleElement()
                .satisfies(x -> assertThat(x.result()).isEqualTo(Code.PASS));
    }

    @Test
    void lengthLimitedSignaturePassesWithAppendedContentButReportsPartialCoverage() {
        byte[] original = bytes(MESSAGE);
        int bodyLength = original.length - MessageSplit.bodyStart(original);
        // The sample body ends with an empty line, which simple canonicalisation drops: l= counts
        // the canonical body, so it is two octets shorter than the raw body.
        DkimSigner signer = new DkimSigner(new DkimSigningKey("example.com", "sel", ED.getPrivate()),
                Canonicalization.SIMPLE, Canonicalization.SIMPLE, CLOCK, OptionalLong.of(bodyLength - 2));
        String m = signer.sign(original) + MESSAGE + "Click https://evil.example/ now\r\n";
        DkimResult r = verifier(ED).verify(bytes(m)).getFirst();
        assertThat(r.result()).isEqualTo(Code.PASS);
        assertThat(r.partialBody()).isTrue();
        assertThat(r.body()).hasValueSatisfying(b -> {
            assertThat(b.lengthTag()).hasValue(bodyLength - 2);
            assertThat(b.canonicalLength()).isGreaterThan(bodyLength - 2);
            assertThat(b.signedRawLength()).isEqualTo(bodyLength - 2);
            assertThat(b.rawLength()).isEqualTo(bodyLength + "Click https://evil.example/ now\r\n".length());
        });
    }

    @Test
    void aChangedBodyFailsAndAnUnchangedStreamedBodyPasses() {
        String m = signed(RSA, Canonicalization.RELAXED, Canonicalization.RELAXED);
        assertThat(verifier(RSA).verify(bytes(m.replace("noon", "nine"))).getFirst().reason())
                .isEqualTo("body hash did not verify");
        // Relaxed body: whitespace changes inside lines and extra trailing empty lines are benign.
        assertThat(verifier(RSA).verify(bytes(m.replace("meet  at", "meet at") + "\r\n\r\n")).getFirst().result())
                .isEqualTo(Code.PASS);
    }

    @Test
    void signingRefusesWeakKeysAndMessagesWithoutFrom() {
        assertThatThrownBy(() -> DkimKeys.generateRsa(1024)).isInstanceOf(IllegalArgumentException.class);
        KeyPair weak = KeyRecordTest.rsa(1024);
        assertThatThrownBy(() -> new DkimSigningKey("example.com", "sel", weak.getPrivate()))
                .hasMessageContaining("2048");
        DkimSigner signer = new DkimSigner(new DkimSigningKey("example.com", "sel", ED.getPrivate()), CLOCK);
        assertThatThrownBy(() -> signer.sign(bytes("To: x@example.net\r\n\r\nhi\r\n")))
                .hasMessageContaining("without From");
    }

    @Test
    void pemAndDnsRecordRoundTrip() {
        for (KeyPair kp : List.of(ED, RSA)) {
            String pem = DkimKeys.toPem(kp.getPrivate());
            assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
            assertThat(pem.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(64));
            assertThat(DkimKeys.fromPem(pem).getEncoded()).isEqualTo(kp.getPrivate().getEncoded());
        }
        assertThat(DkimKeys.dnsRecord(ED.getPublic())).matches("v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=");
        assertThat(DkimKeys.dnsRecord(RSA.getPublic())).startsWith("v=DKIM1; k=rsa; p=MIIBIjAN");
        assertThatThrownBy(() -> DkimKeys.fromPem("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
