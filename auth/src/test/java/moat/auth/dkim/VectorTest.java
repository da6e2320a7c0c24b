package moat.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import moat.auth.dkim.DkimResult.Code;
import org.junit.jupiter.api.Test;

/** The published vectors: RFC 8463 Appendix A must pass, RFC 6376 Appendix A.2 must fail. */
class VectorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static List<DkimResult> verify(String zone, byte[] message) throws Exception {
        return new DkimVerifier(Vectors.zone(zone).build(), DkimSettings.defaults(), CLOCK).verify(message);
    }

    @Test
    void rfc8463AppendixAVerifiesBothSignatures() throws Exception {
        List<DkimResult> r = verify("rfc8463-appA.zone", Vectors.message("rfc8463-appA-signed.eml"));
        assertThat(r).extracting(DkimResult::result).containsExactly(Code.PASS, Code.PASS);
        assertThat(r).extracting(DkimResult::algorithm).containsExactly("ed25519-sha256", "rsa-sha256");
        assertThat(r).extracting(DkimResult::selector).containsExactly("brisbane", "test");
        assertThat(r.getFirst().domain()).isEqualTo("football.example.com");
        assertThat(r.getFirst().identity()).isEqualTo("@football.example.com");
        assertThat(r.getFirst().bPrefix()).isEqualTo("9/dsDChY");
        assertThat(r).noneMatch(DkimResult::partialBody);
    }

    @Test
    void rfc8463AppendixAFailsWhenOneBodyByteChanges() throws Exception {
        String m = new String(Vectors.message("rfc8463-appA-signed.eml"), StandardCharsets.ISO_8859_1);
        byte[] changed = m.replace("We lost the game", "We won the game").getBytes(StandardCharsets.ISO_8859_1);
        List<DkimResult> r = verify("rfc8463-appA.zone", changed);
        assertThat(r).extracting(DkimResult::result).containsExactly(Code.FAIL, Code.FAIL);
        assertThat(r).extracting(DkimResult::reason).containsOnly("body hash did not verify");
    }

    @Test
    void rfc8463AppendixAFailsWhenTheSubjectChanges() throws Exception {
        String m = new String(Vectors.message("rfc8463-appA-signed.eml"), StandardCharsets.ISO_8859_1);
        byte[] changed = m.replace("Is dinner ready?", "Is lunch ready?").getBytes(StandardCharsets.ISO_8859_1);
        List<DkimResult> r = verify("rfc8463-appA.zone", changed);
        assertThat(r).extracting(DkimResult::result).containsExactly(Code.FAIL, Code.FAIL);
        assertThat(r).extracting(DkimResult::reason).containsOnly("signature did not verify");
    }

    @Test
    void rfc6376AppendixA2FailsOnItsPrintedBodyHash() throws Exception {
        List<DkimResult> r = verify("rfc6376-appA.zone", Vectors.message("rfc6376-appA2-signed.eml"));
        assertThat(r).singleElement().satisfies(x -> {
            assertThat(x.result()).isEqualTo(Code.FAIL);
            assertThat(x.reason()).isEqualTo("body hash did not verify");
            assertThat(x.domain()).isEqualTo("example.com");
            assertThat(x.identity()).isEqualTo("joe@football.example.com");
        });
    }

    @Test
    void streamingInTinyChunksGivesTheSameResult() throws Exception {
        byte[] m = Vectors.message("rfc8463-appA-signed.eml");
        int split = MessageSplit.bodyStart(m);
        DkimVerification v = new DkimVerifier(Vectors.zone("rfc8463-appA.zone").build(), DkimSettings.defaults(), CLOCK)
                .begin(java.util.Arrays.copyOf(m, split));
        for (int i = split; i < m.length; i++) v.update(m, i, 1);
        assertThat(v.finish()).extracting(DkimResult::result).containsExactly(Code.PASS, Code.PASS);
    }
}
