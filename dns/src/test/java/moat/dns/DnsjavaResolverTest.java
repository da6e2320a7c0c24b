package moat.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import moat.core.dns.DnsResult;
import moat.core.dns.Mx;
import moat.dns.testserver.TestDnsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DnsjavaResolverTest {
    static TestDnsServer dns;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.builder()
                .zone("example.com", """
                        @        TXT  "v=spf1 " "-all"
                        @        MX   10 mail
                        mail     A    192.0.2.1
                        mail     AAAA 2001:db8::1
                        www      CNAME mail
                        loop1    CNAME loop2
                        loop2    CNAME loop1
                        out      CNAME host.other.test.
                        big      TXT  "%s"
                        """.formatted("x".repeat(200) + "\" \"" + "y".repeat(200) + "\" \"" + "z".repeat(200)))
                .records("1.2.0.192.in-addr.arpa. PTR mail.example.com.",
                         "host.other.test. A 192.0.2.9")
                .timeout("slow.example.com")
                .servfail("broken.example.com")
                .start();
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    static DnsjavaResolver resolver(Clock clock) {
        return new DnsjavaResolver(new DnsjavaResolver.Config(List.of(dns.address()), Duration.ofMillis(300), 100,
                Duration.ofDays(1)), clock);
    }

    @Test
    void answersEachRecordType() throws Exception {
        DnsjavaResolver r = resolver(Clock.systemUTC());
        assertThat(r.txt("EXAMPLE.com.")).isEqualTo(new DnsResult.Answer<>(List.of("v=spf1 -all"), false));
        assertThat(r.mx("example.com")).isEqualTo(new DnsResult.Answer<>(List.of(new Mx(10, "mail.example.com")), false));
        assertThat(r.a("mail.example.com")).isEqualTo(new DnsResult.Answer<>(List.of(InetAddress.getByName("192.0.2.1")), false));
        assertThat(r.aaaa("mail.example.com")).isEqualTo(new DnsResult.Answer<>(List.of(InetAddress.getByName("2001:db8::1")), false));
        assertThat(r.ptr(InetAddress.getByName("192.0.2.1"))).isEqualTo(new DnsResult.Answer<>(List.of("mail.example.com"), false));
    }

    @Test
    void followsCnameChainsWithinAndAcrossZones() throws Exception {
        DnsjavaResolver r = resolver(Clock.systemUTC());
        assertThat(r.a("www.example.com")).isEqualTo(new DnsResult.Answer<>(List.of(InetAddress.getByName("192.0.2.1")), false));
        assertThat(r.a("out.example.com")).isEqualTo(new DnsResult.Answer<>(List.of(InetAddress.getByName("192.0.2.9")), false));
        assertThat(r.a("loop1.example.com")).isInstanceOf(DnsResult.TempFail.class);
    }

    @Test
    void tellsNxDomainFromNoData() {
        DnsjavaResolver r = resolver(Clock.systemUTC());
        assertThat(r.a("nope.example.com")).isEqualTo(new DnsResult.NxDomain<>());
        assertThat(r.txt("mail.example.com")).isEqualTo(new DnsResult.NoData<>());
        assertThat(r.a("bad..name")).isEqualTo(new DnsResult.NxDomain<>());
    }

    @Test
    void timeoutAndServfailAreTempFail() {
        DnsjavaResolver r = resolver(Clock.systemUTC());
        assertThat(r.a("slow.example.com")).isInstanceOf(DnsResult.TempFail.class);
        assertThat(r.a("broken.example.com")).isInstanceOf(DnsResult.TempFail.class);
    }

    @Test
    void largeAnswersFallBackToTcp() {
        DnsjavaResolver r = resolver(Clock.systemUTC());
        DnsResult<List<String>> big = r.txt("big.example.com");
        assertThat(big).isInstanceOf(DnsResult.Answer.class);
        assertThat(((DnsResult.Answer<List<String>>) big).records().getFirst()).hasSize(600);
    }

    @Test
    void cachesForTheTtlThenAsksAgain() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock clock = new Clock() {
            @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId z) { return this; }
            @Override public Instant instant() { return now.get(); }
        };
        DnsjavaResolver r = resolver(clock);
        r.a("mail.example.com");
        int before = dns.queryCount();
        r.a("mail.example.com");
        r.a("nope.example.com");
        int afterNegative = dns.queryCount();
        r.a("nope.example.com"); // negative answer cached for the SOA minimum (60 s)
        assertThat(dns.queryCount()).isEqualTo(afterNegative).isEqualTo(before + 1);
        now.set(now.get().plusSeconds(301)); // past the 300 s TTL
        r.a("mail.example.com");
        assertThat(dns.queryCount()).isEqualTo(afterNegative + 1);
    }

    @Test
    void reportsTheUpstreamAdBit() throws Exception {
        try (TestDnsServer validating = TestDnsServer.builder().records("signed.test. A 192.0.2.7")
                .dnssecAuthenticated(true).start()) {
            DnsjavaResolver r = new DnsjavaResolver(new DnsjavaResolver.Config(List.of(validating.address()),
                    Duration.ofSeconds(2), 0, Duration.ofDays(1)), Clock.systemUTC());
            assertThat(r.a("signed.test")).isEqualTo(new DnsResult.Answer<>(List.of(InetAddress.getByName("192.0.2.7")), true));
        }
    }

    @Test
    void parsesServerSpellings() throws Exception {
        assertThat(ResolvConf.parseServer("192.0.2.53").getPort()).isEqualTo(53);
        assertThat(ResolvConf.parseServer("192.0.2.53:5353").getPort()).isEqualTo(5353);
        assertThat(ResolvConf.parseServer("[2001:db8::53]:5353").getPort()).isEqualTo(5353);
        assertThat(ResolvConf.parseServer("2001:db8::53").getAddress()).isEqualTo(InetAddress.getByName("2001:db8::53"));
        java.nio.file.Path f = java.nio.file.Files.createTempFile("resolv", ".conf");
        java.nio.file.Files.writeString(f, "# c\nsearch x\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\nnameserver ::1\n");
        assertThat(ResolvConf.read(f)).hasSize(2);
    }
}
