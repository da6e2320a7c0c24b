package moat.server.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real sockets end to end: SMTP submission in, IMAP out; IDLE; two IMAP sessions on one mailbox. */
class ImapEndToEndTest {
    @TempDir
    Path tmp;

    /** Sends a tagged command and returns every line up to and including the tagged reply. */
    static List<String> cmd(SmtpClient c, String tag, String command) throws Exception {
        c.send(tag + " " + command + "\r\n");
        List<String> lines = new ArrayList<>();
        while (true) {
            String l = c.readLine();
            assertThat(l).as("reply to %s; so far %s", command, lines).isNotNull();
            lines.add(l);
            if (l.startsWith(tag + " ")) return lines;
        }
    }

    static SmtpClient login(TestServer server, String user, String password) throws Exception {
        SmtpClient c = new SmtpClient("127.0.0.1", server.imapPort(true));
        c.startTls();
        assertThat(c.readLine()).startsWith("* OK");
        assertThat(cmd(c, "L", "LOGIN " + user + " " + password).getLast()).startsWith("L OK");
        return c;
    }

    static void submit(TestServer server, String from, String password, String to, String body) throws Exception {
        try (SmtpClient s = new SmtpClient("127.0.0.1", server.port(Listener.SUBMISSION))) {
            assertThat(s.reply().getLast()).startsWith("220");
            assertThat(s.cmd("EHLO client.example")).startsWith("250");
            assertThat(s.cmd("STARTTLS")).startsWith("220");
            s.startTls();
            assertThat(s.cmd("EHLO client.example")).startsWith("250");
            String plain = Base64.getEncoder().encodeToString(("\0" + from + "\0" + password).getBytes(StandardCharsets.UTF_8));
            assertThat(s.cmd("AUTH PLAIN " + plain)).startsWith("235");
            assertThat(s.cmd("MAIL FROM:<" + from + ">")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<" + to + ">")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            assertThat(s.cmd(body.replace("\n", "\r\n") + "\r\n.")).startsWith("250");
            s.cmd("QUIT");
        }
    }

    @Test
    void messageSubmittedOverSmtpReachesAnIdlingImapClientWithinASecond() throws Exception {
        try (TestServer server = TestServer.start(tmp);
             SmtpClient bob = login(server, "bob@example.org", TestServer.BOB_PASSWORD)) {
            assertThat(cmd(bob, "a", "SELECT INBOX")).contains("* 0 EXISTS");
            bob.send("b IDLE\r\n");
            assertThat(bob.readLine()).isEqualTo("+ idling");
            submit(server, "alice@example.org", TestServer.ALICE_PASSWORD, "bob@example.org",
                    "From: alice@example.org\nTo: bob@example.org\nSubject: end to end\n\nHello Bob");
            long sent = System.nanoTime();
            assertThat(bob.readLine()).isEqualTo("* 1 EXISTS");
            long millis = (System.nanoTime() - sent) / 1_000_000;
            assertThat(millis).as("IDLE latency").isLessThan(1000);
            bob.send("DONE\r\n");
            assertThat(bob.readLine()).isEqualTo("b OK IDLE terminated");
            List<String> fetched = cmd(bob, "c", "UID FETCH 1 (BODY[HEADER.FIELDS (SUBJECT)] BODY[TEXT])");
            assertThat(String.join("\n", fetched)).contains("Subject: end to end").contains("Hello Bob");
        }
    }

    @Test
    void changesFromAnotherSessionAreReportedAndExpungeWaitsForAnAllowedCommand() throws Exception {
        try (TestServer server = TestServer.start(tmp);
             SmtpClient one = login(server, "alice@example.org", TestServer.ALICE_PASSWORD);
             SmtpClient two = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
            for (int i = 0; i < 2; i++)
                assertThat(cmd(one, "p" + i, "APPEND INBOX {13+}\r\nSubject: m" + i + "\r\n").getLast()).contains("APPENDUID");
            assertThat(cmd(one, "s", "SELECT INBOX")).contains("* 2 EXISTS");
            assertThat(cmd(two, "s", "SELECT INBOX")).contains("* 2 EXISTS");
            // session two idles; session one flags and expunges message 1
            two.send("i IDLE\r\n");
            assertThat(two.readLine()).isEqualTo("+ idling");
            assertThat(cmd(one, "f", "STORE 1 +FLAGS (\\Deleted)").getLast()).startsWith("f OK");
            assertThat(two.readLine()).isEqualTo("* 1 FETCH (UID 1 FLAGS (\\Deleted))");
            two.send("DONE\r\n");
            assertThat(two.readLine()).startsWith("i OK");
            assertThat(cmd(one, "e", "EXPUNGE")).containsExactly("* 1 EXPUNGE", "e OK EXPUNGE completed");
            // RFC 9051 section 7.5.1: not during FETCH without UID...
            assertThat(cmd(two, "x", "FETCH 1:* FLAGS")).doesNotContain("* 1 EXPUNGE");
            // ...but at NOOP
            assertThat(cmd(two, "n", "NOOP")).containsExactly("* 1 EXPUNGE", "n OK NOOP completed");
            assertThat(cmd(two, "y", "FETCH 1 UID")).containsExactly("* 1 FETCH (UID 2)", "y OK FETCH completed");
        }
    }

    @Test
    void malformedInputNeverKillsTheListener() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            byte[][] attacks = {
                    "a FETCH ((((((((((((((((((((((((((((((((((((\r\n".getBytes(StandardCharsets.US_ASCII),
                    "a APPEND INBOX {999999999999}\r\n".getBytes(StandardCharsets.US_ASCII),
                    "a LOGIN {18446744073709551616+}\r\n".getBytes(StandardCharsets.US_ASCII),
                    "a FETCH 1:*:* FLAGS\r\nb CREATE &Jjo\r\n".getBytes(StandardCharsets.US_ASCII),
                    new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, '{', '1', '}', '\r', '\n', (byte) 0x80, '\n'},
                    "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII),
            };
            for (byte[] attack : attacks) {
                for (boolean implicit : new boolean[] {false, true}) {
                    try (SmtpClient c = new SmtpClient("127.0.0.1", server.imapPort(implicit))) {
                        if (implicit) c.startTls();
                        c.readLine();
                        c.sendBytes(attack);
                        c.sendBytes("\r\nz LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII));
                        while (c.readLine() != null) { } // until the server closes
                    } catch (java.io.IOException e) {
                        // the server may reset: fine, as long as it keeps serving others
                    }
                }
            }
            try (SmtpClient c = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                assertThat(cmd(c, "a", "SELECT INBOX").getLast()).startsWith("a OK");
            }
        }
    }

    @Test
    void connectionsPerUserAreBoundedAndFreedOnLogout() throws Exception {
        try (TestServer server = TestServer.start(tmp, "imap.max_connections_per_user = 2")) {
            SmtpClient first = login(server, "alice@example.org", TestServer.ALICE_PASSWORD);
            try (SmtpClient second = login(server, "alice@example.org", TestServer.ALICE_PASSWORD);
                 SmtpClient third = new SmtpClient("127.0.0.1", server.imapPort(true))) {
                third.startTls();
                third.readLine();
                assertThat(cmd(third, "L", "LOGIN alice@example.org " + TestServer.ALICE_PASSWORD).getLast())
                        .startsWith("L NO [UNAVAILABLE]");
                assertThat(cmd(first, "z", "LOGOUT").getLast()).startsWith("z OK");
                first.close();
                awaitLogoutAudited(server); // the slot is free once the server has counted the logout
                assertThat(cmd(third, "M", "LOGIN alice@example.org " + TestServer.ALICE_PASSWORD).getLast())
                        .startsWith("M OK");
                assertThat(cmd(second, "n", "NOOP").getLast()).startsWith("n OK");
            }
        }
    }

    /** Polls (bounded: 10 s) for the imap.logout audit line, written after the session count drops. */
    private static void awaitLogoutAudited(TestServer server) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (server.auditLines().stream().noneMatch(l -> l.contains("\"event\":\"imap.logout\""))) {
            assertThat(System.nanoTime() - deadline).as("imap.logout audited within 10 s").isNegative();
            Thread.sleep(10);
        }
    }

    @Test
    void unauthenticatedConnectionsTimeOutSooner() throws Exception {
        try (TestServer server = TestServer.start(tmp, "imap.unauth_timeout = \"5s\"");
             SmtpClient c = new SmtpClient("127.0.0.1", server.imapPort(false))) {
            assertThat(c.readLine()).startsWith("* OK");
            long start = System.nanoTime();
            assertThat(c.readLine()).startsWith("* BYE");
            assertThat(c.readLine()).isNull();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(4000L, 9000L);
        }
    }
}
