package moat.server.hostname;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import moat.core.dns.StaticZone;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Detection and the forward check with the system's names, its addresses and DNS as literal data. */
class HostNameCheckTest {
    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByAddress(InetAddress.getByName(literal).getAddress()); // literals only: no DNS
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static List<InetAddress> ips(String... literals) {
        return Arrays.stream(literals).map(HostNameCheckTest::ip).toList();
    }

    record Detect(List<String> names, String expected) {}

    static Stream<Detect> detections() {
        return Stream.of(
                new Detect(List.of("mail.example.org", "mail"), "mail.example.org"),
                new Detect(List.of("localhost", "vm"), "vm"),              // Docker-like /etc/hosts: 127.0.0.1 localhost vm
                new Detect(List.of("localhost.localdomain", "box", "box.example.net"), "box.example.net"),
                new Detect(List.of("MAIL.Example.ORG."), "mail.example.org"),
                new Detect(List.of("localhost"), "localhost"),
                new Detect(List.of(), "localhost"));
    }

    @ParameterizedTest
    @MethodSource("detections")
    void detectsTheFullyQualifiedNameAndAvoidsLoopbackNames(Detect d) {
        assertThat(HostNameCheck.detect(LocalHost.of(d.names(), List.of()))).isEqualTo(d.expected());
    }

    /** This host has 127.0.0.1, 10.0.0.5 (private) and 203.0.113.5 (public) unless a case says otherwise. */
    static final LocalHost HOST = LocalHost.of(List.of(), ips("127.0.0.1", "10.0.0.5", "203.0.113.5", "fe80::1"));

    static final StaticZone DNS = StaticZone.builder()
            .address("mx.example.org", "203.0.113.5")
            .address("nat.example.org", "198.51.100.7")
            .name("bare.example.org")
            .timeout("slow.example.org")
            .ptr(ip("203.0.113.5"), "mx.example.org")
            .build();

    record Case(String name, String problems) {}

    static Stream<Case> cases() {
        return Stream.of(
                new Case("mx.example.org", ""),
                new Case("localhost", "Loopback"),
                new Case("vm", "NotQualified"),
                new Case("bare.example.org", "NotInDns"),
                new Case("missing.example.org", "NotInDns"),
                new Case("nat.example.org", "ElsewhereInDns"),
                new Case("slow.example.org", "Unchecked"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void checksTheNameIsQualifiedAndResolvesToThisHost(Case c) {
        HostNameCheck.Report r = HostNameCheck.check(c.name(), false, DNS, HOST);
        assertThat(String.join(",", r.problems().stream().map(p -> p.getClass().getSimpleName()).toList()))
                .isEqualTo(c.problems());
        assertThat(r.bad()).isEqualTo(!c.problems().isEmpty() && !c.problems().equals("Unchecked"));
        assertThat(r.warning().isEmpty()).isEqualTo(c.problems().isEmpty());
    }

    @Test
    void theWarningNamesTheLineToSetWithTheNameThePtrConfirms() {
        HostNameCheck.Report r = HostNameCheck.check("localhost", false, DNS, HOST);
        assertThat(r.suggestion()).contains("mx.example.org");
        assertThat(String.join("\n", r.warning()))
                .startsWith("WARNING: the host name localhost (detected, server.hostname is not set) is a loopback name")
                .contains("    server.hostname = \"mx.example.org\"")
                .contains("    ./moat config set server.hostname mx.example.org");
        HostNameCheck.Report none = HostNameCheck.check("vm", true, StaticZone.builder().build(),
                LocalHost.of(List.of(), ips("127.0.0.1", "10.0.0.5")));
        assertThat(String.join("\n", none.warning())).contains("the host name vm (server.hostname) has no dot")
                .contains("server.hostname = \"mail.example.org\"");
    }

    @Test
    void publicAddressesComeFromTheInterfacesElseFromDnsBehindNat() {
        assertThat(HostNameCheck.publicAddresses(HostNameCheck.check("mx.example.org", true, DNS, HOST)))
                .containsExactly(ip("203.0.113.5"));
        LocalHost natted = LocalHost.of(List.of(), ips("127.0.0.1", "10.0.0.5", "100.64.1.2", "fd00::5"));
        HostNameCheck.Report behindNat = HostNameCheck.check("nat.example.org", true, DNS, natted);
        assertThat(HostNameCheck.publicAddresses(behindNat)).containsExactly(ip("198.51.100.7"));
        assertThat(behindNat.summary()).contains("none of this host's addresses").contains("NAT");
        assertThat(HostNameCheck.publicAddresses(HostNameCheck.check("vm", false, DNS, natted))).isEmpty();
    }
}
