package moat.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import moat.core.dns.DnsResult;
import moat.core.dns.Tlsa;
import moat.dns.testserver.TestDnsServer;
import org.junit.jupiter.api.Test;

/** TLSA answers (RFC 6698) for DANE, with the upstream's AD bit (h-outbound). */
class DnsjavaTlsaTest {
    @Test
    void answersTlsaRecordsWithTheValidationFlag() throws Exception {
        String hash = "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6";
        for (boolean ad : new boolean[] {false, true}) {
            try (TestDnsServer dns = TestDnsServer.builder()
                    .records("_25._tcp.mx.example.com. TLSA 3 1 1 " + hash)
                    .dnssecAuthenticated(ad).start()) {
                DnsjavaResolver r = new DnsjavaResolver(new DnsjavaResolver.Config(List.of(dns.address()),
                        Duration.ofMillis(500), 10, Duration.ofHours(1)), Clock.systemUTC());
                assertThat(r.tlsa("_25._tcp.mx.example.com"))
                        .isEqualTo(new DnsResult.Answer<>(List.of(new Tlsa(3, 1, 1, hash)), ad));
                assertThat(r.tlsa("_25._tcp.other.example.com").isVoid()).isTrue();
            }
        }
    }
}
