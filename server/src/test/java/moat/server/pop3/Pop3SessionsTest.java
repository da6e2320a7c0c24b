package moat.server.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import moat.core.EmailAddress;
import moat.server.limits.LoginGate;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour across connections: deletion only at QUIT, stable UIDL, locks, timeouts, audit. */
class Pop3SessionsTest {
    static final EmailAddress ALICE = EmailAddress.of("alice@example.org");

    @TempDir
    Path tmp;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(tmp, "pop3.idle_timeout = \"2s\"");
        for (String s : List.of("one", "two", "three")) Pop3Fixture.deliver(server.store(), "alice@example.org", s);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A logged-in implicit-TLS session. */
    SmtpClient login() throws Exception {
        for (int attempt = 0; ; attempt++) {
            SmtpClient c = new SmtpClient("127.0.0.1", server.pop3Port(true));
            c.startTls();
            assertThat(c.readLine()).startsWith("+OK");
            assertThat(cmd(c, "USER alice@example.org")).startsWith("+OK");
            String r = cmd(c, "PASS " + TestServer.ALICE_PASSWORD);
            // The previous session's lock is released when its thread sees EOF: wait for it.
            if (r.startsWith("-ERR [IN-USE]") && attempt < 50) {
                c.close();
                Thread.sleep(100);
                continue;
            }
            assertThat(r).startsWith("+OK Maildrop has");
            return c;
        }
    }

    static String cmd(SmtpClient c, String line) throws IOException {
        c.send(line + "\r\n");
        return c.readLine();
    }

    static List<String> multi(SmtpClient c, String line) throws IOException {
        assertThat(cmd(c, line)).startsWith("+OK");
        List<String> lines = new ArrayList<>();
        for (String l = c.readLine(); !l.equals("."); l = c.readLine()) lines.add(l);
        return lines;
    }

    @Test
    void deletesOnlyAtQuit() throws Exception {
        try (SmtpClient c = login()) {
            assertThat(cmd(c, "DELE 2")).startsWith("+OK");
            assertThat(server.inbox("alice@example.org")).hasSize(3);
            assertThat(cmd(c, "QUIT")).startsWith("+OK");
        }
        assertThat(server.inbox("alice@example.org")).hasSize(2).noneMatch(m -> m.contains("Subject: two"));
    }

    @Test
    void droppedConnectionDeletesNothing() throws Exception {
        SmtpClient c = login();
        assertThat(cmd(c, "DELE 1")).startsWith("+OK");
        assertThat(cmd(c, "DELE 2")).startsWith("+OK");
        c.close(); // no QUIT
        try (SmtpClient again = login()) { // succeeds once the first session ended
            assertThat(cmd(again, "STAT")).startsWith("+OK 3 ");
        }
        assertThat(server.inbox("alice@example.org")).hasSize(3);
        assertThat(server.auditLines()).anyMatch(l -> l.contains("\"event\":\"pop3.disconnect\"")
                && l.contains("\"marked_not_deleted\":2"));
    }

    @Test
    void idleTimeoutClosesAndDeletesNothing() throws Exception {
        try (SmtpClient c = login()) {
            assertThat(cmd(c, "DELE 1")).startsWith("+OK");
            // RFC 1939 section 3: on the autologout timer the server closes without a response.
            long t0 = System.nanoTime();
            assertThat(c.readLine()).isNull(); // pop3.idle_timeout = 2s
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
        }
        assertThat(server.inbox("alice@example.org")).hasSize(3);
    }

    @Test
    void uidlIsStableAcrossSessionsAndConsistentWithStoreUids() throws Exception {
        List<String> first;
        try (SmtpClient c = login()) {
            first = multi(c, "UIDL");
            assertThat(cmd(c, "DELE 1")).startsWith("+OK");
            assertThat(cmd(c, "QUIT")).startsWith("+OK");
        }
        Pop3Fixture.deliver(server.store(), "alice@example.org", "four");
        long validity = server.store().messages(ALICE, "INBOX").getFirst().uidValidity();
        assertThat(first).containsExactly("1 " + validity + ".1", "2 " + validity + ".2", "3 " + validity + ".3");
        try (SmtpClient c = login()) {
            // Message numbers change (1..n per session), unique-ids do not.
            assertThat(multi(c, "UIDL")).containsExactly("1 " + validity + ".2", "2 " + validity + ".3",
                    "3 " + validity + ".4");
            assertThat(cmd(c, "QUIT")).startsWith("+OK");
        }
    }

    @Test
    void oneSessionPerMaildrop() throws Exception {
        try (SmtpClient first = login(); SmtpClient second = new SmtpClient("127.0.0.1", server.pop3Port(true))) {
            second.startTls();
            second.readLine();
            cmd(second, "USER alice@example.org");
            assertThat(cmd(second, "PASS " + TestServer.ALICE_PASSWORD)).isEqualTo(
                    "-ERR [IN-USE] Maildrop is in use by another session");
            assertThat(cmd(first, "STAT")).startsWith("+OK 3 ");
        }
    }

    @Test
    void listenerSurvivesGarbageAndAbruptClients() throws Exception {
        byte[] junk = new byte[64 * 1024];
        new java.util.Random(7).nextBytes(junk);
        for (int port : new int[] {server.pop3Port(false), server.pop3Port(true)}) {
            try (SmtpClient c = new SmtpClient("127.0.0.1", port)) {
                c.sendBytes(junk); // on 995 this is a broken TLS handshake
            } catch (IOException expected) {
                // the server may reset the connection
            }
        }
        try (SmtpClient c = new SmtpClient("127.0.0.1", server.pop3Port(false))) {
            assertThat(c.readLine()).startsWith("+OK");
            c.sendBytes(("STLS\r\n").getBytes());
            assertThat(c.readLine()).startsWith("+OK");
            c.sendBytes(junk); // garbage instead of a ClientHello: maybe an alert, then EOF
            while (c.readLine() != null) { /* drain the alert */ }
        } catch (IOException expected) {
            // reset is fine too
        }
        try (SmtpClient c = login()) {
            assertThat(cmd(c, "STAT")).startsWith("+OK 3 ");
            assertThat(cmd(c, "QUIT")).startsWith("+OK");
        }
    }

    @Test
    void auditsLoginsWithoutPasswordsAndCountsAtQuit() throws Exception {
        try (SmtpClient c = new SmtpClient("127.0.0.1", server.pop3Port(true))) {
            c.startTls();
            c.readLine();
            cmd(c, "USER alice@example.org");
            assertThat(cmd(c, "PASS not-the-password-xyz")).isEqualTo("-ERR [AUTH] Authentication failed");
        }
        try (SmtpClient c = login()) {
            multi(c, "RETR 1");
            multi(c, "RETR 2");
            cmd(c, "DELE 1");
            assertThat(cmd(c, "QUIT")).startsWith("+OK");
        }
        List<String> log = server.auditLines();
        assertThat(log).noneMatch(l -> l.contains("not-the-password-xyz") || l.contains(TestServer.ALICE_PASSWORD));
        assertThat(log).anyMatch(l -> l.contains("\"event\":\"pop3.login.failed\"") && l.contains("\"reason\":\"auth.failed\"")
                && l.contains("\"username\":\"alice@example.org\""));
        assertThat(log).anyMatch(l -> l.contains("\"event\":\"pop3.login\"") && l.contains("\"user\":\"alice@example.org\"")
                && l.contains("\"listener\":\"pop3s\"") && l.contains("\"tls_version\":\"TLSv1.3\""));
        assertThat(log).anyMatch(l -> l.contains("\"event\":\"pop3.quit\"") && l.contains("\"retrieved\":2")
                && l.contains("\"deleted\":1") && l.contains("\"left\":2"));
    }

    @Test
    void loginGateRefusalNeverChecksThePassword() throws Exception {
        var gate = new Pop3Backend(server.store(), server.store(), new LoginGate() {
            @Override public boolean permits(java.net.InetAddress client, String username) {
                return false;
            }
            @Override public void failed(java.net.InetAddress client, String username) { }
            @Override public void succeeded(java.net.InetAddress client, String username) { }
        }, null);
        var info = new moat.protocol.pop3.Pop3Handler.SessionInfo("t", true,
                new java.net.InetSocketAddress("127.0.0.1", 1), java.util.Optional.empty(), java.util.Optional.empty());
        assertThat(gate.authenticate(info, "alice@example.org", TestServer.ALICE_PASSWORD.toCharArray(), "USER"))
                .isInstanceOf(moat.protocol.pop3.Pop3Handler.AuthResult.Throttled.class);
    }
}
