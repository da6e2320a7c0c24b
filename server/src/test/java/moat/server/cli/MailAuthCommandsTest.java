package moat.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import moat.auth.dkim.DkimKeys;
import moat.core.Domain;
import moat.dns.testserver.TestDnsServer;
import moat.server.mailauth.DkimKeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code moat dkim keygen|check} and {@code moat dns records|check} against a real DNS server on
 * loopback (the in-JVM test server) reached through dns.resolvers, as an admin's moat would.
 */
class MailAuthCommandsTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    private Result run(Path config, String... args) {
        CommandLine cli = MoatCommand.commandLine(c -> {
            throw new IllegalStateException("these commands need no directory");
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return new Result(cli.execute(all), out.toString(), err.toString());
    }

    private Path config(int dnsPort) throws Exception {
        Path f = dir.resolve("moat.toml");
        Files.writeString(f, "server.hostname = \"mx.test.example\"\nserver.data_dir = \"" + dir.resolve("data") + "\"\n"
                + "dns.resolvers = [\"127.0.0.1:" + dnsPort + "\"]\ndns.timeout = \"2s\"\n");
        return f;
    }

    @Test
    void keygenPrintsRecordsAndCheckComparesThemWithDns() throws Exception {
        Result gen = run(config(9), "dkim", "keygen", "example.org");
        assertThat(gen.exit()).as(gen.err()).isZero();
        List<DkimKeyStore.Published> keys = new DkimKeyStore(dir.resolve("data")).published(Domain.of("example.org"));
        assertThat(keys).hasSize(2);
        for (DkimKeyStore.Published k : keys) {
            assertThat(gen.out()).contains(DnsRecords.txtLine(k.name(), k.record()));
        }
        DkimKeyStore.Published ed = keys.stream().filter(k -> k.record().contains("k=ed25519")).findFirst().orElseThrow();
        DkimKeyStore.Published rsa = keys.stream().filter(k -> k.record().contains("k=rsa")).findFirst().orElseThrow();
        KeyPair other = DkimKeys.generateRsa(2048);
        try (TestDnsServer dns = TestDnsServer.builder().records(
                ed.name() + ". 300 IN TXT " + DnsRecords.quoted(ed.record()),
                rsa.name() + ". 300 IN TXT " + DnsRecords.quoted(DkimKeys.dnsRecord(other.getPublic())))
                .start()) {
            Result check = run(config(dns.address().getPort()), "dkim", "check", "example.org");
            assertThat(check.exit()).isEqualTo(1);
            assertThat(check.out()).isEqualTo("wrong " + rsa.name() + " (rsa-sha256)\nok " + ed.name() + " (ed25519-sha256)\n");
        }
        try (TestDnsServer dns = TestDnsServer.builder().records(
                ed.name() + ". 300 IN TXT " + DnsRecords.quoted(ed.record()),
                rsa.name() + ". 300 IN TXT " + DnsRecords.quoted(rsa.record())).start()) {
            Result check = run(config(dns.address().getPort()), "dkim", "check", "example.org");
            assertThat(check.out()).as(check.err()).contains("ok " + rsa.name()).contains("ok " + ed.name());
            assertThat(check.exit()).isZero();
        }
        assertThat(run(config(9), "dkim", "check", "example.net").exit()).as("no keys").isEqualTo(1);
    }

    @Test
    void dnsRecordsAreWhatDnsCheckAccepts() throws Exception {
        assertThat(run(config(9), "dkim", "keygen", "example.org").exit()).isZero();
        Result records = run(config(9), "dns", "records", "example.org");
        assertThat(records.exit()).isZero();
        assertThat(records.out()).contains("example.org. IN MX 10 mx.test.example.\n")
                .contains("example.org. IN TXT \"v=spf1 mx -all\"\n")
                .contains("_dmarc.example.org. IN TXT \"v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org\"\n")
                .contains("_mta-sts.example.org. IN TXT \"v=STSv1; id=")
                .contains("_smtp._tls.example.org. IN TXT \"v=TLSRPTv1; rua=mailto:postmaster@example.org\"");
        // Publish exactly what `moat dns records` printed (comments stripped), plus the host's address.
        StringBuilder zone = new StringBuilder("mx.test.example. 300 IN A 127.0.0.1\n"
                + "1.0.0.127.in-addr.arpa. 300 IN PTR mx.test.example.\n");
        for (String line : records.out().split("\n")) {
            if (line.startsWith(";")) continue;
            zone.append(line.replaceFirst(" ; .*$", "").replace(". IN ", ". 300 IN ")).append('\n');
        }
        try (TestDnsServer dns = TestDnsServer.builder().records(zone.toString().split("\n")).start()) {
            Result check = run(config(dns.address().getPort()), "dns", "check", "example.org");
            assertThat(check.out()).as(check.err()).doesNotContain("missing").doesNotContain("wrong").doesNotContain("error");
            // 7 domain records, the host's A/AAAA, and one PTR per address (127.0.0.1, and this machine's public ones)
            assertThat(check.out().lines().toList()).hasSizeGreaterThanOrEqualTo(9).allSatisfy(l -> assertThat(l).startsWith("ok "));
            assertThat(check.out()).contains("ok A/AAAA mx.test.example: 127.0.0.1",
                    "ok PTR 1.0.0.127.in-addr.arpa: mx.test.example\n");
            assertThat(check.exit()).isZero();
        }
        try (TestDnsServer dns = TestDnsServer.builder().records(
                "mx.test.example. 300 IN A 127.0.0.1",
                "example.org. 300 IN MX 10 mail.elsewhere.example.",
                "example.org. 300 IN TXT \"v=spf1 ip4:192.0.2.1 -all\"").start()) {
            Result check = run(config(dns.address().getPort()), "dns", "check", "example.org");
            assertThat(check.exit()).isEqualTo(1);
            assertThat(check.out()).contains("wrong MX example.org: MX is mail.elsewhere.example, not mx.test.example\n")
                    .contains("wrong SPF example.org: fail for 127.0.0.1\n")
                    .contains("missing DKIM moat-ed-").contains("missing DMARC _dmarc.example.org\n")
.contains("missing MTA-STS _mta-sts.example.org\n")
                    .contains("missing PTR 1.0.0.127.in-addr.arpa: ask the owner of 127.0.0.1 for PTR mx.test.example\n");
        }
    }

    @Test
    void dnsRecordsNameTheMxHostsAddressesAndThePtrToAskFor() throws Exception {
        var dns = moat.core.dns.StaticZone.builder().address("mx.example.org", "203.0.113.5").build();
        var host = moat.server.hostname.LocalHost.of(List.of(), List.of(java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}),
                java.net.InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 5})));
        assertThat(DnsCommand.mxHost(moat.server.hostname.HostNameCheck.check("mx.example.org", true, dns, host)))
                .contains("mx.example.org. IN A 203.0.113.5", "5.113.0.203.in-addr.arpa. IN PTR mx.example.org.");
        var privateOnly = moat.server.hostname.LocalHost.of(List.of(), List.of(
                java.net.InetAddress.getByAddress(new byte[] {10, 0, 0, 5})));
        List<String> lines = DnsCommand.mxHost(moat.server.hostname.HostNameCheck.check("vm", false, dns, privateOnly));
        assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("; "));
        assertThat(String.join("\n", lines)).contains("only private or loopback addresses (10.0.0.5)",
                "vm. IN A <public IPv4 address>", "PTR of that address to vm");
    }
}
