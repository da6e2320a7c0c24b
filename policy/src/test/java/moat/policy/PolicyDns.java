package moat.policy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import moat.core.dns.Resolver;
import moat.dns.DnsjavaResolver;
import moat.dns.testserver.TestDnsServer;

/** One in-JVM DNS server for all policy tests; each record line is one test case's DNS. */
public final class PolicyDns {
    public static final TestDnsServer SERVER;
    public static final Resolver RESOLVER;

    static {
        try {
            SERVER = TestDnsServer.builder().records(
                    // rDNS: 192.0.2.1 confirmed; .2 no PTR; .3 PTR does not resolve back; .4 generic; .5 PTR times out
                    "1.2.0.192.in-addr.arpa. PTR mail.good.example.",
                    "mail.good.example. A 192.0.2.1",
                    "3.2.0.192.in-addr.arpa. PTR liar.example.",
                    "liar.example. A 198.51.100.7",
                    "4.2.0.192.in-addr.arpa. PTR 192-0-2-4.dynamic.isp.example.",
                    "192-0-2-4.dynamic.isp.example. A 192.0.2.4",
                    "6.2.0.192.in-addr.arpa. PTR dsl-6.pool.isp.example.",
                    "dsl-6.pool.isp.example. A 192.0.2.6",
                    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR v6.good.example.",
                    "v6.good.example. AAAA 2001:db8::1",
                    // HELO names
                    "helo.good.example. A 192.0.2.1",
                    "mxonly.good.example. MX 10 mail.good.example.",
                    "exists.good.example. TXT \"no address\"",
                    // DNSBL: 192.0.2.66 listed (.2), 192.0.2.67 answers an error code, 2001:db8::66 listed
                    "66.2.0.192.bl.example. A 127.0.0.2",
                    "67.2.0.192.bl.example. A 127.255.255.254",
                    "66.2.0.192.weird.example. A 10.0.0.1",
                    "66.2.0.192.bl2.example. A 127.0.0.4",
                    "6.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example. A 127.0.0.2",
                    // RHSBL
                    "spammy.example.dbl.example. A 127.0.1.2")
                    .timeout("5.2.0.192.in-addr.arpa.")
                    .timeout("68.2.0.192.bl.example.")
                    .timeout("slow.example.")
                    .start();
            RESOLVER = new DnsjavaResolver(new DnsjavaResolver.Config(List.of(SERVER.address()), Duration.ofMillis(250),
                    0, Duration.ofHours(1)), Clock.systemUTC());
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private PolicyDns() {}
}
