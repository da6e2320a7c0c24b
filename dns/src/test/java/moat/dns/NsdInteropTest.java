package moat.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import moat.core.dns.DnsResult;
import moat.core.dns.Mx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end against a real authoritative server: NSD (Debian package {@code nsd}) serving a test
 * zone on a loopback high port from a config written into a temp dir. Runs with -Pslow (CI).
 */
@Tag("interop")
@Tag("slow")
class NsdInteropTest {
    static final String ZONE = """
            $ORIGIN e2e.test.
            $TTL 300
            @        SOA  ns.e2e.test. hostmaster.e2e.test. 1 3600 600 86400 60
            @        NS   ns
            ns       A    127.0.0.1
            @        MX   10 mail
            @        TXT  "v=spf1 ip4:192.0.2.0/24 -all"
            mail     A    192.0.2.25
            mail     AAAA 2001:db8::25
            www      CNAME mail
            2.0.0.127.bl  A   127.0.0.2
            2.0.0.127.bl  TXT "listed for testing (RFC 5782 section 5)"
            """;

    @TempDir
    static Path dir;
    static Process nsd;
    static DnsjavaResolver resolver;

    @BeforeAll
    static void startNsd() throws Exception {
        Path binary = Path.of("/usr/sbin/nsd");
        if (!Files.isExecutable(binary)) {
            fail("NSD is not installed: apt-get install -y nsd (Debian package \"nsd\"; stop its service, tests run their own)");
        }
        Files.writeString(dir.resolve("e2e.test.zone"), ZONE);
        // NSD takes a port number, not a socket: a port found free can be taken by another
        // process on a busy host before NSD binds it. Then NSD exits, and we try another port.
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            Files.deleteIfExists(dir.resolve("nsd.log"));
            if (startOn(binary, port)) return;
            String why = Files.readString(dir.resolve("nsd.out")) + readLog();
            boolean clash = why.contains("in use");
            if (!clash || attempt == 5) fail("nsd exited (port " + port + ", attempt " + attempt + "): " + why);
        }
    }

    /** Starts NSD on the port; true when it answers, false when it exited (e.g. the port was taken). */
    private static boolean startOn(Path binary, int port) throws Exception {
        Files.writeString(dir.resolve("nsd.conf"), """
                server:
                  ip-address: 127.0.0.1@%1$d
                  port: %1$d
                  do-ip6: no
                  username: ""
                  chroot: ""
                  zonesdir: "%2$s"
                  pidfile: "%2$s/nsd.pid"
                  database: ""
                  zonelistfile: "%2$s/zone.list"
                  xfrdfile: "%2$s/xfrd.state"
                  xfrdir: "%2$s"
                  logfile: "%2$s/nsd.log"
                  server-count: 1
                  hide-version: yes
                  verbosity: 1
                remote-control:
                  control-enable: no
                zone:
                  name: e2e.test
                  zonefile: e2e.test.zone
                """.formatted(port, dir));
        nsd = new ProcessBuilder(binary.toString(), "-d", "-c", dir.resolve("nsd.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nsd.out").toFile()).start();
        resolver = new DnsjavaResolver(new DnsjavaResolver.Config(List.of(new InetSocketAddress("127.0.0.1", port)),
                Duration.ofSeconds(1), 0, Duration.ofMinutes(5)), Clock.systemUTC());
        // Readiness, not timing: wait until NSD answers (or has exited). Alive is checked after the
        // answer too, so that another server that happened to hold the port cannot pass for NSD.
        for (int i = 0; i < 100; i++) {
            if (!nsd.isAlive()) return false;
            if (resolver.a("mail.e2e.test") instanceof DnsResult.Answer<?> && nsd.isAlive()) return true;
            Thread.sleep(100);
        }
        fail("nsd did not answer: " + Files.readString(dir.resolve("nsd.out")) + readLog());
        return false;
    }

    static String readLog() throws IOException {
        Path log = dir.resolve("nsd.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @AfterAll
    static void stopNsd() throws Exception {
        if (nsd != null) {
            nsd.destroy();
            if (!nsd.waitFor(10, TimeUnit.SECONDS)) nsd.destroyForcibly();
        }
    }

    /** A port free for both UDP and TCP on loopback (NSD binds both). */
    static int freePort() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (DatagramSocket u = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int p = u.getLocalPort();
                try (ServerSocket t = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    return t.getLocalPort();
                } catch (IOException busy) {
                    // try another
                }
            }
        }
        throw new IOException("no free port");
    }

    @Test
    void answersFromARealAuthoritativeServer() throws Exception {
        assertThat(resolver.a("MAIL.e2e.test.")).isEqualTo(new DnsResult.Answer<>(List.of(InetAddress.getByName("192.0.2.25")), false));
        assertThat(resolver.aaaa("mail.e2e.test")).isEqualTo(new DnsResult.Answer<>(List.of(InetAddress.getByName("2001:db8::25")), false));
        assertThat(resolver.mx("e2e.test")).isEqualTo(new DnsResult.Answer<>(List.of(new Mx(10, "mail.e2e.test")), false));
        assertThat(resolver.txt("e2e.test")).isEqualTo(new DnsResult.Answer<>(List.of("v=spf1 ip4:192.0.2.0/24 -all"), false));
        assertThat(resolver.a("www.e2e.test")).isEqualTo(new DnsResult.Answer<>(List.of(InetAddress.getByName("192.0.2.25")), false));
    }

    @Test
    void tellsNxDomainFromNoDataAndRefusedFromAnswers() {
        assertThat(resolver.a("nope.e2e.test")).isEqualTo(new DnsResult.NxDomain<>());
        assertThat(resolver.txt("mail.e2e.test")).isEqualTo(new DnsResult.NoData<>());
        assertThat(resolver.a("elsewhere.example")).isInstanceOf(DnsResult.TempFail.class); // REFUSED: not its zone
    }

    @Test
    void dnsblStyleQueriesWork() throws Exception {
        assertThat(resolver.a("2.0.0.127.bl.e2e.test")).isEqualTo(new DnsResult.Answer<>(List.of(InetAddress.getByName("127.0.0.2")), false));
        assertThat(resolver.a("1.0.0.127.bl.e2e.test")).isEqualTo(new DnsResult.NxDomain<>());
    }
}
