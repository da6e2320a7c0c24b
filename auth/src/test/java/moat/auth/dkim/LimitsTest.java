package moat.auth.dkim;

import static moat.auth.dkim.Fixtures.CLOCK;
import static moat.auth.dkim.Fixtures.ED;
import static moat.auth.dkim.Fixtures.MESSAGE;
import static moat.auth.dkim.Fixtures.RSA;
import static moat.auth.dkim.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import moat.auth.dkim.DkimResult.Code;
import moat.core.dns.StaticZone;
import org.junit.jupiter.api.Test;

/** Bounds on signatures and header size, several signatures in one pass, and a large streamed body. */
class LimitsTest {
    private static final StaticZone ZONE = StaticZone.builder()
            .txt("sel._domainkey.example.com", DkimKeys.dnsRecord(ED.getPublic()))
            .txt("rsa._domainkey.example.com", DkimKeys.dnsRecord(RSA.getPublic())).build();

    private static DkimSigner signer(String selector, java.security.KeyPair kp, Canonicalization c) {
        return new DkimSigner(new DkimSigningKey("example.com", selector, kp.getPrivate()), c, c, CLOCK);
    }

    @Test
    void severalSignaturesAreCheckedInOnePassAndTheSixthIsNotEvaluated() {
        StringBuilder sigs = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            DkimSigner s = i % 2 == 0 ? signer("sel", ED, Canonicalization.RELAXED) : signer("rsa", RSA, Canonicalization.SIMPLE);
            sigs.append(s.sign(bytes(MESSAGE)));
        }
        List<DkimResult> r = new DkimVerifier(ZONE, DkimSettings.defaults(), CLOCK).verify(bytes(sigs + MESSAGE));
        assertThat(r).extracting(DkimResult::result)
                .containsExactly(Code.PASS, Code.PASS, Code.PASS, Code.PASS, Code.PASS, Code.POLICY, Code.POLICY);
        assertThat(r.get(5).reason()).contains("more than 5 signatures");
    }

    @Test
    void anOversizedHeaderSectionIsOnePermerror() {
        String big = "X-Filler: " + "a".repeat(2000) + "\r\n";
        String m = signer("sel", ED, Canonicalization.RELAXED).sign(bytes(MESSAGE)) + big.repeat(200) + MESSAGE;
        List<DkimResult> r = new DkimVerifier(ZONE, DkimSettings.defaults(), CLOCK).verify(bytes(m));
        assertThat(r).singleElement().satisfies(x -> {
            assertThat(x.result()).isEqualTo(Code.PERMERROR);
            assertThat(x.reason()).contains("header section over");
        });
    }

    @Test
    void anOversizedSignatureFieldIsPermerror() {
        String sig = "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=" + "A".repeat(9000);
        DkimResult r = new DkimVerifier(ZONE, DkimSettings.defaults(), CLOCK).verify(bytes(sig + "\r\n" + MESSAGE))
                .getFirst();
        assertThat(r.result()).isEqualTo(Code.PERMERROR);
        assertThat(r.reason()).contains("signature field over");
    }

    @Test
    void reasonsQuotingTagValuesStayOnOneLine() {
        String sig = "DKIM-Signature: v=1; a=rsa-\r\n\tmd5; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA\r\n";
        DkimResult r = new DkimVerifier(ZONE, DkimSettings.defaults(), CLOCK).verify(bytes(sig + MESSAGE)).getFirst();
        assertThat(r.result()).isEqualTo(Code.PERMERROR);
        assertThat(r.reason()).isEqualTo("unknown algorithm rsa- md5");
        assertThat(r.algorithm()).isEqualTo("rsa-md5");
        assertThat(r.domain()).isEqualTo("example.com");
    }

    @Test
    void noSignatureIsAnEmptyList() {
        assertThat(new DkimVerifier(ZONE, DkimSettings.defaults(), CLOCK).verify(bytes(MESSAGE))).isEmpty();
    }

    @Test
    void aTwentyFiveMegabyteBodyStreamsInChunks() {
        String header = MESSAGE.substring(0, MESSAGE.indexOf("\r\n\r\n") + 4);
        byte[] line = bytes("0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ  \t\r\n");
        int lines = 25 * 1024 * 1024 / line.length;
        byte[] chunk = new byte[line.length * 512];
        for (int i = 0; i < 512; i++) System.arraycopy(line, 0, chunk, i * line.length, line.length);

        DkimSigning s = signer("sel", ED, Canonicalization.RELAXED).begin(bytes(header));
        for (int i = 0; i < lines / 512; i++) s.update(chunk, 0, chunk.length);
        String field = s.finish();

        DkimVerification v = new DkimVerifier(ZONE, DkimSettings.defaults(), CLOCK).begin(bytes(field + header));
        for (int i = 0; i < lines / 512; i++) v.update(chunk, 0, chunk.length);
        DkimResult r = v.finish().getFirst();
        assertThat(r.result()).isEqualTo(Code.PASS);
        assertThat(r.body()).hasValueSatisfying(b -> assertThat(b.rawLength()).isEqualTo((long) lines / 512 * chunk.length));
    }

    @Test
    void sessionsAreSingleUse() {
        DkimVerification v = new DkimVerifier(ZONE).begin(bytes("From: a@example.com\r\n"));
        v.finish();
        assertThatThrownBy(v::finish).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> v.update(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void settingsAreBounded() {
        assertThatThrownBy(() -> new DkimSettings(0, 1 << 20, 1000, 1024)).hasMessageContaining("dkim.max_signatures");
        assertThatThrownBy(() -> new DkimSettings(5, 1 << 20, 1000, 512)).hasMessageContaining("dkim.min_rsa_bits");
    }
}
