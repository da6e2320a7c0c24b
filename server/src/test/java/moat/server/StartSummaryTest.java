package moat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import moat.core.dns.StaticZone;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.config.Config;
import moat.server.content.ContentSettings;
import moat.server.config.ServerSettings;
import moat.server.hostname.HostNameCheck;
import moat.server.hostname.LocalHost;
import moat.server.policy.DnsSettings;
import moat.server.policy.GreylistSettings;
import moat.server.policy.PolicySettings;
import moat.server.testing.TestServer;
import moat.server.tls.SelfSignedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lines {@code moat serve} prints at start and at stop. */
class StartSummaryTest {
    @TempDir
    Path tmp;

    static final HostNameCheck.Report LOCALHOST = HostNameCheck.check("localhost", false, StaticZone.builder().build(),
            LocalHost.of(List.of(), List.of(InetAddress.getLoopbackAddress())));

    @Test
    void saysWhatIsOnWithTheCertificateAndItsExpiry() throws Exception {
        X509Certificate cert = SelfSignedCertificate.generate("mx.example.org", tmp.resolve("c.pem"), tmp.resolve("k.pem"));
        Instant now = cert.getNotBefore().toInstant().plus(Duration.ofDays(5));
        Config config = Config.defaults()
                .with(PolicySettings.DNSBL_ZONES, List.of("zen.spamhaus.org"))
                .with(GreylistSettings.ACTION, "defer")
                .with(DnsSettings.RESOLVERS, List.of("127.0.0.1:5353"));
        List<String> lines = new StartSummary(config, List.of(
                new StartSummary.Bound("smtp", new InetSocketAddress("0.0.0.0", 25), false),
                new StartSummary.Bound("imaps", new InetSocketAddress("::", 993), true)),
                Optional.of(cert), DnsSettings.servers(config), LOCALHOST, "postmaster@ ... go to alice@example.org")
                .lines(now);
        assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("moat: "));
        assertThat(lines.get(1)).isEqualTo("moat: listening: smtp 0.0.0.0:25, imaps [0:0:0:0:0:0:0:0]:993 (TLS)");
        assertThat(lines.get(2)).startsWith("moat: tls: CN=mx.example.org (mx.example.org), SELF-SIGNED, expires ")
                .contains("(360 days)").contains("TLSv1.3");
        assertThat(lines.get(3)).isEqualTo("moat: dns: 127.0.0.1:5353 (dns.resolvers), timeout 5s");
        assertThat(lines.get(4)).contains("spf reject_without_dmarc", "dmarc enforced", "dnsbl zen.spamhaus.org (score)",
                "rhsbl off (no zones)", "greylisting defer", "attachments reject", "patterns off (none)", "antivirus off");
        assertThat(new StartSummary(config.with(ContentSettings.CLAMD_ADDRESS, "unix:/run/clamav/clamd.ctl"),
                List.of(), Optional.of(cert), List.of(), LOCALHOST, "").lines(now).get(4)).contains("antivirus clamd (reject)");
        assertThat(lines.get(5)).isEqualTo("moat: host name: localhost (detected; is a loopback name: nobody else can reach it)");
        assertThat(lines.get(6)).isEqualTo("moat: postmaster: postmaster@ ... go to alice@example.org");
        assertThat(StartSummary.certificate(cert, cert.getNotAfter().toInstant().plusSeconds(1))).contains("EXPIRED");
    }

    @Test
    void stopLineSaysHowLongItRan() {
        assertThat(StartSummary.stopped(Duration.ofSeconds(3 * 86400 + 2 * 3600 + 5))).isEqualTo("moat: stopped after 3d 2h 5s");
        assertThat(StartSummary.stopped(Duration.ofMillis(250))).isEqualTo("moat: stopped after 250ms");
        assertThat(StartSummary.stopped(Duration.ofMinutes(1))).isEqualTo("moat: stopped after 1m");
    }

    @Test
    void aStartedServersSummaryNamesItsListeners() throws Exception {
        try (TestServer s = TestServer.start(tmp)) {
            Config config = Config.defaults().with(ServerSettings.BIND_ADDRESSES, List.of("127.0.0.1"))
                    .with(DnsSettings.RESOLVERS, List.of("127.0.0.1:9"));
            List<String> lines = StartSummary.of(config, s.server(), LOCALHOST, "-").lines(Instant.now());
            assertThat(lines.get(1)).isEqualTo("moat: listening: smtp 127.0.0.1:" + s.port(Listener.MX)
                    + ", submission 127.0.0.1:" + s.port(Listener.SUBMISSION)
                    + ", submissions 127.0.0.1:" + s.port(Listener.SUBMISSIONS) + " (TLS)"
                    + ", imap 127.0.0.1:" + s.imapPort(false) + ", imaps 127.0.0.1:" + s.imapPort(true) + " (TLS)"
                    + ", pop3 127.0.0.1:" + s.pop3Port(false) + ", pop3s 127.0.0.1:" + s.pop3Port(true) + " (TLS)");
            assertThat(lines.get(2)).startsWith("moat: tls: CN=mx.test.example (mx.test.example), SELF-SIGNED, expires ");
        }
    }
}
