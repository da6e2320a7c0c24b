package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import moat.core.Domain;
import moat.core.dns.StaticZone;
import moat.delivery.MxResolver.Route;
import org.junit.jupiter.api.Test;

class MxResolverTest {
    static MxResolver resolver(StaticZone z, long seed) {
        return new MxResolver(z, new Random(seed), 10);
    }

    static Route route(StaticZone z, String domain) {
        return resolver(z, 1).resolve(Domain.of(domain));
    }

    @Test
    void preferenceOrderWithIpv6FirstAndUnresolvableHostsSkipped() {
        StaticZone z = StaticZone.builder().mx("d.example", 20, "b.example").mx("d.example", 10, "a.example")
                .mx("d.example", 5, "gone.example").a("a.example", "192.0.2.1").aaaa("a.example", "2001:db8::1")
                .a("b.example", "192.0.2.2").build();
        Route.Hosts h = (Route.Hosts) route(z, "d.example");
        assertThat(h.hosts()).extracting(MxResolver.Host::name).containsExactly("a.example", "b.example");
        assertThat(h.hosts().getFirst().addresses()).extracting(a -> a.getHostAddress())
                .containsExactly("2001:db8:0:0:0:0:0:1", "192.0.2.1");
    }

    @Test
    void equalPreferencesAreShuffled() {
        StaticZone z = StaticZone.builder().mx("d.example", 10, "a.example").mx("d.example", 10, "b.example")
                .mx("d.example", 10, "c.example").a("a.example", "192.0.2.1").a("b.example", "192.0.2.2")
                .a("c.example", "192.0.2.3").build();
        Set<String> firsts = new HashSet<>();
        for (long seed = 0; seed < 64; seed++)
            firsts.add(((Route.Hosts) resolver(z, seed).resolve(Domain.of("d.example"))).hosts().getFirst().name());
        assertThat(firsts).containsExactlyInAnyOrder("a.example", "b.example", "c.example");
    }

    @Test
    void theOutcomesOfRfc5321Section5AndRfc7505() {
        StaticZone z = StaticZone.builder()
                .a("implicit.example", "192.0.2.9")                       // no MX: the domain itself
                .mx("null.example", 0, ".")                               // RFC 7505
                .mx("noaddr.example", 10, "nowhere.example")              // MX host without address
                .mx("slowmx.example", 10, "slow.example").timeout("slow.example")
                .timeout("dnsdown.example")
                .build();
        assertThat(((Route.Hosts) route(z, "implicit.example")).hosts()).singleElement()
                .satisfies(h -> assertThat(h.name()).isEqualTo("implicit.example"));
        assertThat(route(z, "null.example")).isInstanceOf(Route.NullMx.class);
        assertThat(route(z, "nxdomain.example")).isInstanceOf(Route.NoDomain.class);
        assertThat(route(z, "noaddr.example")).isInstanceOf(Route.NoAddress.class);
        assertThat(route(z, "slowmx.example")).isInstanceOf(Route.TempFail.class);
        assertThat(route(z, "dnsdown.example")).isInstanceOf(Route.TempFail.class);
    }

    @Test
    void atMostMaxHostsAreTried() {
        StaticZone.Builder b = StaticZone.builder();
        for (int i = 0; i < 20; i++) b.mx("many.example", i, "h" + i + ".example").a("h" + i + ".example", "192.0.2." + (i + 1));
        Route.Hosts h = (Route.Hosts) new MxResolver(b.build(), new Random(1), 3).resolve(Domain.of("many.example"));
        assertThat(h.hosts()).extracting(MxResolver.Host::name).containsExactly("h0.example", "h1.example", "h2.example");
    }
}
