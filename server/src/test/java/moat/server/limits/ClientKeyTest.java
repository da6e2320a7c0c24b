package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientKeyTest {
    @Test
    void groupsIpv6ByDefaultSlash64() {
        assertThat(ClientKey.of("2001:db8:1:2:aaaa::1", 32, 64)).isEqualTo(ClientKey.of("2001:db8:1:2:ffff:1:2:3", 32, 64));
        assertThat(ClientKey.of("2001:db8:1:2::1", 32, 64)).hasToString("2001:db8:1:2:0:0:0:0/64");
        assertThat(ClientKey.of("2001:db8:1:3::1", 32, 64)).isNotEqualTo(ClientKey.of("2001:db8:1:2::1", 32, 64));
    }

    @Test
    void honoursConfiguredPrefixLengths() {
        assertThat(ClientKey.of("2001:db8:1:2ff::1", 32, 56)).isEqualTo(ClientKey.of("2001:db8:1:200::1", 32, 56));
        assertThat(ClientKey.of("2001:db8:1:300::1", 32, 56)).isNotEqualTo(ClientKey.of("2001:db8:1:200::1", 32, 56));
        assertThat(ClientKey.of("192.0.2.1", 24, 64)).isEqualTo(ClientKey.of("192.0.2.200", 24, 64));
    }

    @Test
    void keepsIpv4AddressesApartByDefault() {
        assertThat(ClientKey.of("192.0.2.1", 32, 64)).isNotEqualTo(ClientKey.of("192.0.2.2", 32, 64));
        assertThat(ClientKey.of("192.0.2.1", 32, 64)).hasToString("192.0.2.1/32");
    }

    @Test
    void countsIpv4MappedIpv6AsTheIpv4Address() {
        assertThat(ClientKey.of("::ffff:192.0.2.1", 32, 64)).isEqualTo(ClientKey.of("192.0.2.1", 32, 64));
    }
}
