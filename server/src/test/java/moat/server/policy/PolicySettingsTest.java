package moat.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Clock;
import java.time.Duration;
import moat.core.dns.StaticZone;
import moat.policy.FailAction;
import moat.policy.Policy;
import moat.policy.greylist.InMemoryGreylistStore;
import moat.server.config.Config;
import moat.server.config.ConfigException;
import moat.server.config.Settings;
import org.junit.jupiter.api.Test;

class PolicySettingsTest {
    static Config parse(String toml) throws ConfigException {
        return Config.parse(toml, "test", Settings.ALL);
    }

    static String rules(Policy p) {
        return String.join(" ", p.rules().stream().map(r -> r.check().name() + ":" + r.action().spelling()).toList());
    }

    @Test
    void defaultsAreTheAdrOnes() throws Exception {
        Config c = parse("");
        assertThat(c.get(DnsSettings.TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.get(DnsSettings.RESOLVERS)).isEmpty();
        assertThat(c.get(PolicySettings.DNSBL_ZONES)).isEmpty();
        assertThat(c.get(GreylistSettings.ACTION)).isEqualTo("off");
        assertThat(c.get(GreylistSettings.DELAY)).isEqualTo(Duration.ofMinutes(5));
        Policy p = Perimeter.build(c, StaticZone.builder().build(), Clock.systemUTC(), d -> false, new InMemoryGreylistStore(10));
        assertThat(rules(p)).isEqualTo("lists:reject rdns.no_ptr:score rdns.not_confirmed:score rdns.generic:score "
                + "helo.invalid:reject helo.forged:reject helo.non_fqdn:score helo.literal_mismatch:score helo.unresolvable:score"
                + " spf.temperror:defer"); // ADR 0009: SPF fail waits for DMARC by default, a DNS failure defers
    }

    @Test
    void everythingOnAddsDnsblRhsblAndGreylist() throws Exception {
        Config c = parse("""
                dns.resolvers = ["127.0.0.1:5353", "[::1]:5353", "192.0.2.53"]
                dnsbl.zones = ["zen.example weight=5 codes=127.0.0.2/31"]
                dnsbl.action = "reject"
                rhsbl.zones = ["dbl.example"]
                greylist.action = "defer"
                rdns.no_ptr_action = "off"
                """);
        Policy p = Perimeter.build(c, StaticZone.builder().build(), Clock.systemUTC(), d -> false, new InMemoryGreylistStore(10));
        assertThat(rules(p)).endsWith("dnsbl:reject rhsbl:score spf.temperror:defer greylist:defer").contains("rdns.no_ptr:off");
        assertThat(p.rules().getFirst().action()).isEqualTo(FailAction.REJECT);
    }

    @Test
    void refusesBadValuesNamingTheKey() {
        for (String bad : new String[] {"dnsbl.zones = [\"zen.example weight=abc\"]", "rdns.no_ptr_action = \"maybe\"",
                "dns.resolvers = [\"dns.google\"]", "greylist.action = \"score\"", "policy.deny_networks = [\"10.0.0.0/33\"]",
                "policy.allow_senders = [\"not an address\"]", "dns.timeout = \"0s\""}) {
            Throwable t = catchThrowable(() -> parse(bad));
            assertThat(t).as(bad).isInstanceOf(ConfigException.class);
            assertThat(String.join("\n", ((ConfigException) t).errors())).contains(bad.substring(0, bad.indexOf(' ')));
        }
    }
}
