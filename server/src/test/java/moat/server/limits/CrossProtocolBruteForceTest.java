package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failed-login limits are shared: wrong passwords over IMAP LOGIN and POP3 PASS count
 * toward the same lockout as SMTP AUTH, the locked client is refused even with the right
 * password, and the real user still gets in from a clean network.
 */
class CrossProtocolBruteForceTest {
    @TempDir
    Path tmp;

    private static SSLSocket tls(int port, String from) throws Exception {
        return TestServer.clientTlsFrom(from, port);
    }

    /** One IMAP LOGIN on a fresh connection; returns the tagged reply line. */
    private static String imapLogin(int port, String from, String user, String password) throws Exception {
        try (SSLSocket s = tls(port, from)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            in.readLine(); // greeting
            out.write(("a LOGIN \"" + user + "\" \"" + password + "\"\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("a ")) { }
            return line;
        }
    }

    /** One POP3 USER/PASS on a fresh connection; returns the reply to PASS. */
    private static String pop3Login(int port, String from, String user, String password) throws Exception {
        try (SSLSocket s = tls(port, from)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            in.readLine();
            out.write(("USER " + user + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            in.readLine();
            out.write(("PASS " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return in.readLine();
        }
    }

    @Test
    @Timeout(60)
    void imapAndPop3FailuresShareOneLockout() throws Exception {
        try (TestServer s = TestServer.start(tmp, "limits.auth_backoff_base = \"1ms\"", "limits.auth_backoff_max = \"5ms\"",
                "limits.connection_rate = 100000", "limits.auth_max_failures = 10")) {
            int imaps = s.imapPort(true);
            int pop3s = s.pop3Port(true);
            String attacker = "127.0.3.1";
            int checked = 0;
            int locked = 0;
            // 60 guesses alternating IMAP and POP3 from one address
            for (int i = 0; i < 30; i++) {
                String r1 = imapLogin(imaps, attacker, "alice@example.org", "guess-" + i);
                String r2 = pop3Login(pop3s, attacker, "alice@example.org", "guess-" + i);
                assertThat(r1).startsWith("a NO");
                assertThat(r2).startsWith("-ERR");
                if (r1.contains("[UNAVAILABLE]")) locked++; else checked++;
                if (r2.contains("Too many failed logins; try again later")) locked++; else checked++;
            }
            assertThat(checked).as("only the failure budget is checked before the lockout").isEqualTo(10);
            assertThat(locked).as("the rest is refused unchecked").isEqualTo(50);
            // The locked address is refused even with the right password, on both protocols.
            assertThat(imapLogin(imaps, attacker, "alice@example.org", TestServer.ALICE_PASSWORD)).startsWith("a NO");
            assertThat(pop3Login(pop3s, attacker, "alice@example.org", TestServer.ALICE_PASSWORD)).startsWith("-ERR");
            // alice from a clean network gets in on both.
            assertThat(imapLogin(imaps, "127.1.3.1", "alice@example.org", TestServer.ALICE_PASSWORD)).startsWith("a OK");
            assertThat(pop3Login(pop3s, "127.1.3.2", "alice@example.org", TestServer.ALICE_PASSWORD)).startsWith("+OK");
            assertThat(String.join("\n", s.auditLines())).contains("\"event\":\"auth.lockout\"");
        }
    }

    @Test
    @Timeout(30)
    void imapAndPop3ShareTheConnectionLimits() throws Exception {
        try (TestServer s = TestServer.start(tmp, "limits.max_connections_per_ip = 2")) {
            try (Socket a = new Socket("127.0.0.1", s.imapPort(false)); Socket b = new Socket("127.0.0.1", s.pop3Port(false))) {
                a.setSoTimeout(10_000);
                b.setSoTimeout(10_000);
                assertThat(firstLine(a)).startsWith("* OK");
                assertThat(firstLine(b)).startsWith("+OK");
                try (Socket c = new Socket("127.0.0.1", s.imapPort(false)); Socket d = new Socket("127.0.0.1", s.pop3Port(false))) {
                    c.setSoTimeout(10_000);
                    d.setSoTimeout(10_000);
                    assertThat(firstLine(c)).isEqualTo("* BYE [UNAVAILABLE] Too many connections from your address, try again later");
                    assertThat(firstLine(d)).isEqualTo("-ERR [SYS/TEMP] Too many connections from your address, try again later");
                }
            }
            assertThat(String.join("\n", s.auditLines())).contains("\"reason\":\"limit.connections_per_ip\"");
        }
    }

    private static String firstLine(Socket s) throws Exception {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
}
