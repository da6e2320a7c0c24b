package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalInt;
import moat.core.Domain;
import moat.server.config.Config;
import moat.server.config.Settings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The {@code delivery.transports} syntax: strict, with a reason for every refusal. */
class TransportsTest {
    @Test
    void parsesTheFourForms() {
        Transports t = Transports.parse(List.of("example.com = 10.0.0.5:25", "example.net = [mail.internal]:2525",
                "Example.ORG=mx.internal", "v6.example = [::1]:2525", "lit.example = [192.0.2.1]"));
        assertThat(t.forDomain(Domain.of("example.com"))).hasValue(
                new Transports.NextHop(Domain.of("example.com"), "10.0.0.5", false, OptionalInt.of(25)));
        assertThat(t.forDomain(Domain.of("example.net"))).hasValue(
                new Transports.NextHop(Domain.of("example.net"), "mail.internal", false, OptionalInt.of(2525)));
        assertThat(t.forDomain(Domain.of("example.org")).orElseThrow()).satisfies(h -> {
            assertThat(h.mxLookup()).isTrue();
            assertThat(h.host()).isEqualTo("mx.internal");
            assertThat(h.portOr(25)).isEqualTo(25);
        });
        assertThat(t.forDomain(Domain.of("v6.example")).orElseThrow().host()).isEqualTo("::1");
        assertThat(t.forDomain(Domain.of("lit.example")).orElseThrow().mxLookup()).isFalse();
        assertThat(t.forDomain(Domain.of("sub.example.com"))).isEmpty(); // exact match only
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "example.com =", "= host", "example.com = host:0", "example.com = host:65536",
            "example.com = host:x", "example.com = [host", "example.com = [host]x", "example.com = ::1",
            "example.com = 300.1.1.1", "not a domain = host", "example.com = bad host", "example.com = host:25:25"})
    void refusesMalformedEntries(String entry) {
        assertThat(Transports.problem(entry)).isPresent();
        assertThatThrownBy(() -> Config.parse("delivery.transports = [\"" + entry + "\"]", "test", Settings.ALL))
                .hasMessageContaining("delivery.transports");
    }

    @Test
    void refusesADomainListedTwice() {
        assertThatThrownBy(() -> Config.parse("delivery.transports = [\"a.example = h1\", \"A.example = h2\"]", "test",
                Settings.ALL)).hasMessageContaining("listed twice");
    }

    @Test
    void relayRecipientsMustBeAddressesOrDomains() throws Exception {
        assertThatThrownBy(() -> Config.parse("smtp.relay_recipients = [\"nobody\"]", "test", Settings.ALL))
                .hasMessageContaining("smtp.relay_recipients");
        assertThat(Config.parse("smtp.relay_recipients = [\"a@relay.example\", \"@other.example\"]", "test", Settings.ALL)
                .get(moat.server.config.ServerSettings.RELAY_RECIPIENTS)).hasSize(2);
    }
}
