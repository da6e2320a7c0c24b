package moat.server.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import moat.core.EmailAddress;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import moat.store.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grammar-shaped random commands (seeded, so a failure replays) against a logged-in, selected
 * session over a real socket: every command gets its tagged answer, and no internal error is
 * ever logged.
 */
class ImapFuzzTest {
    @TempDir
    Path tmp;

    private static final String[] VERBS = {"FETCH", "UID FETCH", "STORE", "UID STORE", "SEARCH", "UID SEARCH", "COPY",
            "UID MOVE", "LIST", "STATUS", "SELECT", "EXAMINE", "CREATE", "RENAME", "DELETE", "APPEND", "NOOP", "ENABLE",
            "ID", "EXPUNGE", "UID EXPUNGE", "SUBSCRIBE", "LSUB", "CAPABILITY", "NAMESPACE", "UNSELECT", "CHECK", "BOGUS"};
    private static final String[] TOKENS = {"1", "2", "*", "1:*", "2:1", "0", "4294967295", "4294967296", "1,3:*", "$",
            "(", ")", "((", "))", "FLAGS", "BODY[]", "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]", "BODY[1.2.MIME]",
            "BODY[TEXT]<0.10>", "BODY[]<5.0>", "ENVELOPE", "BODYSTRUCTURE", "RFC822", "MODSEQ", "(CHANGEDSINCE 1)",
            "+FLAGS", "-FLAGS.SILENT", "(\\Seen)", "(\\Bogus)", "$kw", "INBOX", "Archive", "\"\"", "\"*\"", "%",
            "\"a\\\"b\"", "&AOk-", "&Jjo", "NOT", "OR", "ALL", "SEEN", "HEADER", "SUBJECT", "x", "LARGER", "SINCE",
            "1-Jan-2026", "32-Foo-99", "RETURN", "(MIN MAX)", "CHARSET", "KOI8-R", "NIL", "{3+}\r\nabc", "~{2+}\r\nzz",
            "\"\u00e9\"", "\u0000", "\t", "]"};

    @Test
    void randomCommandsAlwaysGetATaggedAnswer() throws Exception {
        try (TestServer server = TestServer.start(tmp, "imap.max_errors = 1000")) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(EmailAddress.of("alice@example.org"), "INBOX").orElseThrow().id();
            String multipart = "Content-Type: multipart/mixed; boundary=B\r\nSubject: mp\r\n\r\n--B\r\n"
                    + "Content-Type: text/plain\r\n\r\nhello\r\n--B\r\nContent-Type: message/rfc822\r\n\r\n"
                    + "Subject: inner\r\n\r\nin\r\n--B--\r\n";
            for (int i = 0; i < 3; i++)
                mb.append(inbox, multipart.getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.now());
            Random random = new Random(20260101L);
            SmtpClient c = open(server);
            for (int n = 0; n < 400; n++) {
                StringBuilder cmd = new StringBuilder("t" + n + " " + VERBS[random.nextInt(VERBS.length)]);
                int args = random.nextInt(5);
                for (int i = 0; i < args; i++) cmd.append(' ').append(TOKENS[random.nextInt(TOKENS.length)]);
                c.send(cmd + "\r\n");
                List<String> lines = new ArrayList<>();
                while (true) {
                    String l = c.readLine();
                    assertThat(l).as("answer to %s; got %s", cmd, lines).isNotNull();
                    lines.add(l);
                    if (l.startsWith("t" + n + " ")) break;
                    if (l.startsWith("* BYE")) break;
                }
                if (lines.getLast().startsWith("* BYE") || cmd.toString().contains("LOGOUT")) {
                    c.close();
                    c = open(server);
                }
                assertThat(lines.getLast()).as("answer to %s", cmd).doesNotContain("Internal error");
            }
            assertThat(ImapEndToEndTest.cmd(c, "last", "NOOP").getLast()).startsWith("last OK");
            c.close();
            assertThat(server.auditLines()).noneMatch(l -> l.contains("server.error"));
        }
    }

    private static SmtpClient open(TestServer server) throws Exception {
        SmtpClient c = new SmtpClient("127.0.0.1", server.imapPort(true));
        c.startTls();
        c.readLine();
        assertThat(ImapEndToEndTest.cmd(c, "L", "LOGIN alice@example.org " + TestServer.ALICE_PASSWORD).getLast())
                .startsWith("L OK");
        assertThat(ImapEndToEndTest.cmd(c, "S", "SELECT INBOX").getLast()).startsWith("S OK");
        return c;
    }
}
