package moat.server.imap;

import static moat.server.imap.ImapEndToEndTest.cmd;
import static moat.server.imap.ImapEndToEndTest.login;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import moat.core.EmailAddress;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import moat.store.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage quota across protocols over real sockets (a user's own limit from the directory, SMTP
 * RCPT refused with 452 4.2.2 once full, IMAP GETQUOTA reporting it), and the imap.* audit lines.
 */
class ImapQuotaAndAuditTest {
    @TempDir
    Path tmp;

    private static final EmailAddress ALICE = EmailAddress.of("alice@example.org");

    @Test
    void aFullMailboxIsRefusedAtRcptWithATemporaryCodeAndGetquotaShowsIt() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            mb.append(inbox, ("Subject: fill\r\n\r\n" + "z".repeat(3000) + "\r\n").getBytes(StandardCharsets.US_ASCII),
                    Set.of(), Instant.now());
            assertThat(server.store().setQuota(ALICE, OptionalLong.of(2048))).isTrue();
            try (SmtpClient s = new SmtpClient("127.0.0.1", server.port(Listener.MX))) {
                assertThat(s.reply().getLast()).startsWith("220");
                assertThat(s.cmd("EHLO client.example")).startsWith("250");
                assertThat(s.cmd("MAIL FROM:<someone@remote.example>")).startsWith("250");
                assertThat(s.cmd("RCPT TO:<alice@example.org>")).isEqualTo("452 4.2.2 Mailbox full, try again later");
                assertThat(s.cmd("RCPT TO:<sales@example.org>")).as("alias of alice only").startsWith("452 4.2.2");
                assertThat(s.cmd("RCPT TO:<bob@example.org>")).startsWith("250");
                s.cmd("QUIT");
            }
            try (SmtpClient c = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                List<String> r = cmd(c, "q", "GETQUOTAROOT INBOX");
                assertThat(r).contains("* QUOTAROOT \"INBOX\" \"\"", "* QUOTA \"\" (STORAGE 3 2)");
            }
            assertThat(server.store().setQuota(ALICE, OptionalLong.empty())).isTrue(); // back to 1 GiB
            try (SmtpClient c = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                assertThat(cmd(c, "q", "GETQUOTA \"\"")).contains("* QUOTA \"\" (STORAGE 3 1048576)");
            }
        }
    }

    @Test
    void loginsAndLogoutsAreAuditedWithoutPasswords() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            try (SmtpClient c = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                assertThat(cmd(c, "x", "LOGOUT").getLast()).startsWith("x OK");
            }
            try (SmtpClient c = new SmtpClient("127.0.0.1", server.imapPort(true))) {
                c.startTls();
                c.readLine();
                assertThat(cmd(c, "l", "LOGIN bob@example.org wrong-password-77").getLast()).startsWith("l NO");
            }
            List<String> lines = server.auditLines();
            // every line names the session, the client and the TLS in use (like pop3.* and smtp.*)
            String loginLine = lines.stream().filter(l -> l.contains("\"event\":\"imap.login\"")).findFirst().orElseThrow();
            assertThat(loginLine).contains("\"user\":\"alice@example.org\"").contains("\"client_ip\":\"127.0.0.1\"")
                    .containsPattern("\"tls_version\":\"TLSv1\\.[23]\"").containsPattern("\"tls_cipher\":\"TLS_[A-Z0-9_]+\"");
            java.util.regex.Matcher session = java.util.regex.Pattern.compile("\"session\":\"([^\"]+)\"").matcher(loginLine);
            assertThat(session.find()).as("session id in %s", loginLine).isTrue();
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"event\":\"imap.logout\"")
                    .contains("\"user\":\"alice@example.org\"").contains("\"session\":\"" + session.group(1) + "\"")
                    .contains("\"tls_version\":\"TLSv1."));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"event\":\"imap.login.failed\"")
                    .contains("\"username\":\"bob@example.org\"").contains("\"reason\":\"auth.failed\"")
                    .contains("\"session\":\"").doesNotContain("\"session\":\"" + session.group(1) + "\"")
                    .contains("\"tls_version\":\"TLSv1."));
            assertThat(String.join("\n", lines)).doesNotContain("wrong-password-77")
                    .doesNotContain(TestServer.ALICE_PASSWORD);
        }
    }
}
