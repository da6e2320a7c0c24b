package moat.auth.arc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import moat.core.dns.StaticZone;
import org.junit.jupiter.api.Test;

/** Behaviour beyond the suite: limits, DNS failures, tampering, what a pass reports. */
class ArcVerifierTest {
    static ArcSuiteTest.Case suiteCase(String name) throws IOException {
        return ArcSuiteTest.cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static byte[] bytes(String lfMessage) {
        return ArcSuiteTest.crlf(lfMessage).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void passReportsInstancesAndOldestPassSigner() throws IOException {
        ArcSuiteTest.Case c = suiteCase("cv_pass_i2_1");
        ArcResult r = new ArcVerifier(c.zone(), ArcSuiteTest.CLOCK).verify(bytes(c.message()));
        assertEquals(ArcResult.Code.PASS, r.cv(), r.reason());
        assertEquals(2, r.instances());
        assertTrue(r.oldestPassDomain().isPresent());
    }

    @Test
    void aChangedBodyFailsTheNewestMessageSignature() throws IOException {
        ArcSuiteTest.Case c = suiteCase("cv_pass_i1_1");
        ArcResult r = new ArcVerifier(c.zone(), ArcSuiteTest.CLOCK)
                .verify(bytes(c.message().replace("This is a test message.", "This is a fake message.")));
        assertEquals(ArcResult.Code.FAIL, r.cv());
        assertTrue(r.reason().contains("body hash"), r.reason());
    }

    @Test
    void aKeyLookupTimeoutFailsAndSaysTemperror() throws IOException {
        ArcSuiteTest.Case c = suiteCase("cv_pass_i1_1");
        StaticZone slow = StaticZone.builder().timeout("dummy._domainkey.example.org").build();
        ArcResult r = new ArcVerifier(slow, ArcSuiteTest.CLOCK).verify(bytes(c.message()));
        assertEquals(ArcResult.Code.FAIL, r.cv());
        assertTrue(r.reason().contains("temperror"), r.reason());
        assertEquals(Optional.empty(), r.oldestPassDomain());
    }

    @Test
    void anInstanceAbove50FailsWithoutAnyDnsQuery() throws IOException {
        ArcSuiteTest.Case c = suiteCase("cv_pass_i1_1");
        String extra = "ARC-Seal: i=51; a=rsa-sha256; b=AAAA; cv=pass; d=example.org; s=dummy\n";
        StaticZone empty = StaticZone.builder().build();
        ArcResult r = new ArcVerifier(empty, ArcSuiteTest.CLOCK).verify(bytes(extra + c.message()));
        assertEquals(ArcResult.Code.FAIL, r.cv());
        assertTrue(r.reason().contains("outside 1..50"), r.reason());
    }

    @Test
    void noArcFieldsIsNone() {
        ArcResult r = new ArcVerifier(StaticZone.builder().build(), ArcSuiteTest.CLOCK)
                .verify(bytes("From: a@example.com\nSubject: hi\n\nbody\n"));
        assertEquals(new ArcResult(ArcResult.Code.NONE, 0, "no ARC sets", Optional.empty()), r);
    }
}
