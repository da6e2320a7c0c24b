package moat.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.audit.AuditChain;
import moat.server.audit.AuditKey;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code moat log verify|key} on the audit log a real server on loopback wrote while it handled
 * SMTP sessions: it holds, a restart continues it, and each kind of tampering is named at its line.
 */
class LogCommandTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    private Result run(String... args) throws Exception {
        Path config = dir.resolve("moat.toml");
        Files.writeString(config, "server.data_dir = \"" + dir.resolve("data") + "\"\n");
        CommandLine cli = MoatCommand.commandLine(c -> {
            throw new IllegalStateException("log commands need no directory");
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(List.of(args));
        return new Result(cli.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    /** A delivered message, a refused relay attempt and a session that only says QUIT. */
    private static void sessions(TestServer s) throws Exception {
        try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.readLine();
            c.cmd("EHLO client.example");
            c.cmd("MAIL FROM:<a@remote.example>");
            c.cmd("RCPT TO:<alice@example.org>");
            c.cmd("DATA");
            assertThat(c.cmd("Subject: chained\r\n\r\nhello\r\n.")).startsWith("250");
            c.cmd("QUIT");
        }
        try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.readLine();
            c.cmd("EHLO client.example");
            c.cmd("MAIL FROM:<a@remote.example>");
            assertThat(c.cmd("RCPT TO:<someone@elsewhere.example>")).startsWith("554");
            c.cmd("QUIT");
        }
        try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.readLine();
            c.cmd("QUIT");
        }
    }

    private Path audit() {
        return dir.resolve("data").resolve("audit.log");
    }

    @Test
    void aServersLogVerifiesAndARestartContinuesTheChain() throws Exception {
        try (TestServer s = TestServer.start(dir)) {
            sessions(s);
        }
        Result ok = run("log", "verify");
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).startsWith("ok: ").contains("0 lines after the last checkpoint");
        long before = Files.readAllLines(audit()).size();

        // the admin keeps the public key elsewhere and verifies with that copy
        Result key = run("log", "key");
        assertThat(key.exit()).isZero();
        assertThat(key.out()).startsWith("-----BEGIN PUBLIC KEY-----")
                .contains(Files.readString(dir.resolve("data").resolve(AuditKey.PUBLIC_FILE)));
        Path kept = dir.resolve("kept.pem");
        Files.writeString(kept, key.out());

        try (TestServer s = TestServer.start(dir)) {
            sessions(s);
        }
        List<String> lines = Files.readAllLines(audit());
        assertThat(lines.get((int) before)).startsWith("{\"seq\":" + (before + 1) + ",");
        Result again = run("log", "verify", "--key", kept.toString(), audit().toString());
        assertThat(again.exit()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("seq 1.." + lines.size());

        // the intruder's favourite: replace the key pair in the data dir and re-sign a rewritten log
        Path otherKey = dir.resolve("other");
        AuditKey.loadOrCreate(otherKey);
        Result wrongKey = run("log", "verify", "--key", otherKey.resolve(AuditKey.PUBLIC_FILE).toString());
        assertThat(wrongKey.exit()).isEqualTo(1);
        assertThat(wrongKey.out()).contains("not with the key given");
    }

    @Test
    void eachTamperingIsNamedAtItsLine() throws Exception {
        try (TestServer s = TestServer.start(dir)) {
            sessions(s);
        }
        List<String> lines = Files.readAllLines(audit());
        int cp = lines.size() - 1; // the stop checkpoint
        assertThat(lines.get(cp)).contains("\"event\":\"audit.checkpoint\"");
        assertThat(lines.size()).isGreaterThan(6);

        expectBreak("edit", l -> set(l, 3, l.get(3).replaceFirst("\"ts\":\"2", "\"ts\":\"1")), 4, "edited");
        expectBreak("delete", l -> {
            l.remove(2);
            return l;
        }, 3, "deleted");
        // a forged line chained to line 4 with a correct hash: the original seq 5 after it breaks
        expectBreak("insert", l -> {
            AuditChain chain = AuditChain.after(AuditChain.parse(l.get(3)).orElseThrow());
            l.add(4, chain.append("{\"ts\":\"2026-12-08T00:00:00Z\",\"event\":\"delivery.recovered\",\"rows\":1}"));
            return l;
        }, 6, "inserted");
        expectBreak("swap", l -> {
            String a = l.get(1);
            l.set(1, l.get(2));
            l.set(2, a);
            return l;
        }, 2, "moved");
        expectBreak("signature", l -> set(l, cp, l.get(cp).replaceFirst("(\"sig\":\"[^\"]{10})[^\"]*\"", "$1\"")),
                cp + 1, "edited");
    }

    @Test
    void aCheckpointIsWrittenAfterTheIntervalWhileLinesWait() throws Exception {
        try (TestServer s = TestServer.start(dir, "audit.checkpoint_interval = \"1s\"")) {
            sessions(s);
            Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
            while (s.auditLines().stream().noneMatch(l -> l.contains("\"why\":\"interval\""))
                    && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertThat(s.auditLines()).anyMatch(l -> l.contains("\"why\":\"interval\""));
        }
        assertThat(run("log", "verify").exit()).isZero();
    }

    private static List<String> set(List<String> l, int i, String line) {
        l.set(i, line);
        return l;
    }

    private void expectBreak(String what, UnaryOperator<List<String>> tamper, int line, String problem) throws Exception {
        Path copy = dir.resolve(what + ".log");
        Files.write(copy, tamper.apply(new ArrayList<>(Files.readAllLines(audit()))));
        Result r = run("log", "verify", copy.toString());
        assertThat(r.exit()).as(what + ": " + r.out()).isEqualTo(1);
        assertThat(r.out()).as(what).contains("BROKEN " + copy + ":" + line + ": ").contains(problem);
    }
}
