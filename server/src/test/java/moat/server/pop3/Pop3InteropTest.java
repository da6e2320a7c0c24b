package moat.server.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import moat.core.EmailAddress;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Debian clients against a real listener: Python poplib (package python3) over implicit TLS
 * and over STLS, and curl (package curl) with pop3s://. A missing tool fails, naming the package.
 */
class Pop3InteropTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path CURL = Path.of("/usr/bin/curl");

    @TempDir
    Path tmp;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(tmp);
        for (String s : List.of("one", "two")) Pop3Fixture.deliver(server.store(), "alice@example.org", s);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static void require(Path tool, String debianPackage) {
        assertThat(Files.isExecutable(tool)).as("%s is missing: apt-get install %s", tool, debianPackage).isTrue();
    }

    record Run(int exit, List<String> out, String err) {}

    static Run run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        var outF = p.getInputStream();
        var errF = p.getErrorStream();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished in time", cmd.getFirst()).isTrue();
        String out = new String(outF.readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(errF.readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.exitValue(), out.lines().toList(), err);
    }

    Run poplib(String mode, int port) throws Exception {
        require(PYTHON, "python3");
        Run r = run(List.of(PYTHON.toString(), Path.of("src/test/resources/interop/pop3_client.py").toString(), mode,
                String.valueOf(port), server.certificate().toString(), "alice@example.org", TestServer.ALICE_PASSWORD));
        assertThat(r.exit()).as("poplib %s: %s%n%s", mode, r.out(), r.err()).isZero();
        return r;
    }

    @Test
    void pythonPoplibOverImplicitTls() throws Exception {
        Run r = poplib("ssl", server.pop3Port(true));
        long validity = server.store().messages(EmailAddress.of("alice@example.org"), "INBOX").getFirst().uidValidity();
        assertThat(r.out()).contains("welcome +OK mx.test.example POP3 ready", "stat 2 " + totalSize(2),
                "uidl 1 " + validity + ".1 2 " + validity + ".2", "retr " + size("one") + " subject dotline",
                "dele +OK Message 1 deleted");
        assertThat(r.out()).anyMatch(l -> l.startsWith("capa ") && l.contains("USER") && l.contains("SASL")
                && !l.contains("STLS"));
        assertThat(r.out()).anyMatch(l -> l.matches("list 1 \\d+ 2 \\d+"));
        assertThat(r.out()).anyMatch(l -> l.equals("top 6 First line of one"));
        assertThat(r.out()).anyMatch(l -> l.startsWith("quit +OK"));
        assertThat(server.inbox("alice@example.org")).hasSize(1).allMatch(m -> m.contains("Subject: two"));
    }

    @Test
    void pythonPoplibWithStls() throws Exception {
        Run r = poplib("stls", server.pop3Port(false));
        assertThat(r.out()).anyMatch(l -> l.startsWith("capa-before-tls ") && l.contains("STLS") && !l.contains("USER")
                && !l.contains("SASL"));
        assertThat(r.out()).contains("stat 2 " + totalSize(2));
        assertThat(r.out()).anyMatch(l -> l.startsWith("quit +OK"));
        assertThat(server.inbox("alice@example.org")).hasSize(1).allMatch(m -> m.contains("Subject: two"));
    }

    @Test
    void curlListsAndRetrievesOverPop3s() throws Exception {
        require(CURL, "curl");
        moat.server.interop.PeersAccess.requireCurlWith("pop3s");
        int port = server.pop3Port(true);
        List<String> base = new ArrayList<>(List.of(CURL.toString(), "-sS", "--max-time", "30",
                "--cacert", server.certificate().toString(),
                "--connect-to", "mx.test.example:" + port + ":127.0.0.1:" + port,
                "-u", "alice@example.org:" + TestServer.ALICE_PASSWORD));
        List<String> list = new ArrayList<>(base);
        list.add("pop3s://mx.test.example:" + port + "/");
        Run l = run(list);
        assertThat(l.exit()).as("curl list: %s", l.err()).isZero();
        assertThat(l.out()).hasSize(2).allMatch(s -> s.matches("[12] \\d+"));

        List<String> retr = new ArrayList<>(base);
        retr.add("pop3s://mx.test.example:" + port + "/1");
        Run r = run(retr);
        assertThat(r.exit()).as("curl retr: %s", r.err()).isZero();
        assertThat(String.join("\n", r.out())).contains("Subject: one", "\n.a line starting with a dot\n", "last line");
        assertThat(server.inbox("alice@example.org")).hasSize(2); // curl RETR deletes nothing
    }

    long size(String subject) {
        return Pop3Fixture.message(subject).getBytes(StandardCharsets.UTF_8).length;
    }

    long totalSize(int n) {
        return size("one") + size("two");
    }
}
