package moat.server.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import moat.auth.dkim.DkimResult;
import moat.auth.dkim.DkimVerifier;
import moat.core.Domain;
import moat.core.dns.StaticZone;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail submitted on 587 leaves DKIM-signed twice (Ed25519 and RSA) with the keys `moat dkim
 * keygen` writes, and the signatures verify with Moat's verifier, with dkimpy (Debian
 * python3-dkim, python3-nacl for Ed25519) and with OpenDKIM (Debian opendkim, its -t test mode
 * with TestDNSData instead of live DNS): two independent implementations. Fails, never skips,
 * when either is missing.
 */
class SubmissionSigningTest {
    private static final String DKIMPY = """
            import sys, json, dkim
            records = json.loads(open(sys.argv[2]).read())
            def dnsfunc(name, timeout=5):
                n = (name.decode() if isinstance(name, bytes) else name).rstrip('.').lower()
                r = records.get(n)
                return r.encode() if r is not None else None
            msg = open(sys.argv[1], 'rb').read()
            d = dkim.DKIM(msg)
            n = len([h for h in d.headers if h[0].lower() == b'dkim-signature'])
            def one(i):
                try:
                    return 'PASS' if d.verify(idx=i, dnsfunc=dnsfunc) else 'FAIL'
                except dkim.ValidationError:
                    return 'FAIL'
            print(' '.join(one(i) for i in range(n)))
            """;

    @TempDir
    Path tmp;

    @Test
    void submittedMailIsSignedWithEd25519AndRsaAndVerifiesWithMoatDkimpyAndOpenDkim() throws Exception {
        DkimKeyStore keys = new DkimKeyStore(tmp.resolve("data"));
        List<DkimKeyStore.Published> published = keys.generate(Domain.of("example.org"), "moat-ed", "moat-rsa", 2048,
                LocalDate.of(2026, 11, 25));
        for (DkimKeyStore.Published p : published) {
            Path key = tmp.resolve("data/dkim/example.org/" + p.selector() + ".key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        }
        StaticZone.Builder zone = StaticZone.builder();
        published.forEach(p -> zone.txt(p.name(), p.record()));
        StaticZone dns = zone.build();

        String message = "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: signed\r\n"
                + "Date: Wed, 25 Nov 2026 12:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\n"
                + "Hello Bob,\r\n..a line that was dot-stuffed\r\n\r\n\r\n";
        String stored;
        try (TestServer s = TestServer.start(tmp, dns, Clock.systemUTC());
             SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.SUBMISSION))) {
            c.reply();
            c.cmd("EHLO client.example");
            c.cmd("STARTTLS");
            c.startTls();
            c.cmd("EHLO client.example");
            String plain = Base64.getEncoder().encodeToString("\0alice@example.org\0alice-password-1".getBytes());
            assertThat(c.cmd("AUTH PLAIN " + plain)).startsWith("235");
            c.cmd("MAIL FROM:<alice@example.org>");
            assertThat(c.cmd("RCPT TO:<bob@example.org>")).startsWith("250");
            c.cmd("DATA");
            assertThat(c.cmd(message + ".")).startsWith("250");
            stored = s.inbox("bob@example.org").getFirst();
        }
        assertThat(stored).startsWith("Received: ");
        assertThat(stored.lines().filter(l -> l.startsWith("DKIM-Signature:")).count()).isEqualTo(2);
        assertThat(stored).contains("a=ed25519-sha256").contains("a=rsa-sha256").contains("s=moat-ed-20261125")
                .contains("s=moat-rsa-20261125");

        List<DkimResult> results = new DkimVerifier(dns).verify(stored.getBytes(StandardCharsets.UTF_8));
        assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r.result()).as(r.reason()).isEqualTo(DkimResult.Code.PASS));

        Path file = tmp.resolve("signed.eml");
        Files.writeString(file, stored, StandardCharsets.UTF_8);
        Path records = tmp.resolve("records.json");
        StringBuilder json = new StringBuilder("{");
        for (DkimKeyStore.Published p : published) {
            if (json.length() > 1) json.append(',');
            json.append('"').append(p.name()).append("\":\"").append(p.record()).append('"');
        }
        Files.writeString(records, json.append('}').toString());
        assertThat(dkimpy(file, records)).isEqualTo("PASS PASS");
        String opendkim = opendkim(file, published);
        for (DkimKeyStore.Published p : published) {
            assertThat(opendkim).as("OpenDKIM on the %s signature", p.algorithm())
                    .containsPattern("dkim=pass [^;]*header\\.d=example\\.org [^;]*header\\.s=" + p.selector());
        }
        // A changed body must fail with dkimpy too, or the PASS above would mean nothing.
        Files.writeString(file, stored.replace("Hello Bob", "Hello Eve"), StandardCharsets.UTF_8);
        assertThat(dkimpy(file, records)).isEqualTo("FAIL FAIL");
        assertThat(opendkim(file, published)).contains("dkim=fail").doesNotContain("dkim=pass");
    }

    @Test
    void aFromTheUserDoesNotOwnIsNotSigned() throws Exception {
        new DkimKeyStore(tmp.resolve("data")).generate(Domain.of("example.org"), "moat-ed", "moat-rsa", 2048, LocalDate.now());
        try (TestServer s = TestServer.start(tmp); SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.SUBMISSION))) {
            c.reply();
            c.cmd("EHLO client.example");
            c.cmd("STARTTLS");
            c.startTls();
            c.cmd("EHLO client.example");
            c.cmd("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice@example.org\0alice-password-1".getBytes()));
            c.cmd("MAIL FROM:<alice@example.org>");
            c.cmd("RCPT TO:<bob@example.org>");
            c.cmd("DATA");
            assertThat(c.cmd("From: bob@example.org\r\nSubject: not mine\r\n\r\nx\r\n.")).startsWith("250");
            assertThat(s.inbox("bob@example.org").getFirst()).doesNotContain("DKIM-Signature");
        }
    }

    /**
     * OpenDKIM's own test mode ({@code opendkim -t}, Debian package opendkim) with the keys given
     * through its TestDNSData option instead of live DNS. Answers what it logged to stderr.
     */
    private String opendkim(Path message, List<DkimKeyStore.Published> published) throws Exception {
        Path data = tmp.resolve("opendkim-dns.txt");
        StringBuilder sb = new StringBuilder();
        for (DkimKeyStore.Published p : published) sb.append(p.name()).append(' ').append(p.record()).append('\n');
        Files.writeString(data, sb.toString());
        Path conf = tmp.resolve("opendkim.conf");
        Files.writeString(conf, "TestDNSData file:" + data + "\nSyslog no\n");
        Process p;
        try {
            p = new ProcessBuilder("/usr/sbin/opendkim", "-x", conf.toString(), "-vvv", "-t", message.toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return fail("opendkim missing: install the Debian package opendkim");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("opendkim timed out");
        }
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private String dkimpy(Path message, Path records) throws Exception {
        Path script = tmp.resolve("verify.py");
        Files.writeString(script, DKIMPY);
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), message.toString(), records.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(tmp.resolve("stderr.txt").toFile()).start();
        } catch (java.io.IOException e) {
            return fail("python3 missing: install python3, python3-dkim and python3-nacl");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("dkimpy timed out");
        }
        assertThat(p.exitValue()).as("dkimpy (Debian python3-dkim, python3-nacl): " + Files.readString(tmp.resolve("stderr.txt")))
                .isZero();
        return out;
    }
}
