package moat.server.imap;

import static moat.server.imap.ImapEndToEndTest.cmd;
import static moat.server.imap.ImapEndToEndTest.login;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import moat.core.EmailAddress;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import moat.store.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 7162 QRESYNC over real sockets: ENABLE, VANISHED instead of EXPUNGE, SELECT with the
 * QRESYNC parameter (VANISHED (EARLIER) and the changed flags), [CLOSED], UID FETCH with
 * CHANGEDSINCE and VANISHED, and the errors for using it without ENABLE.
 */
class ImapQresyncTest {
    @TempDir
    Path tmp;

    private static final EmailAddress ALICE = EmailAddress.of("alice@example.org");

    private static long number(List<String> lines, String regex) {
        Pattern p = Pattern.compile(regex);
        for (String l : lines) {
            Matcher m = p.matcher(l);
            if (m.find()) return Long.parseLong(m.group(1));
        }
        throw new AssertionError(regex + " not in " + lines);
    }

    @Test
    void resynchronisesFlagsAndVanishedMessages() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            for (int i = 1; i <= 4; i++)
                mb.append(inbox, ("Subject: " + i + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII), Set.of(),
                        Instant.now());
            try (SmtpClient a = login(server, "alice@example.org", TestServer.ALICE_PASSWORD);
                 SmtpClient b = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                assertThat(cmd(a, "q", "SELECT INBOX (QRESYNC (1 1))").getLast()).as("needs ENABLE first")
                        .startsWith("q BAD");
                assertThat(cmd(a, "e", "ENABLE QRESYNC")).contains("* ENABLED QRESYNC");
                List<String> sel = cmd(a, "s", "SELECT INBOX");
                long validity = number(sel, "UIDVALIDITY (\\d+)");
                long modseq = number(sel, "HIGHESTMODSEQ (\\d+)");

                cmd(a, "f", "STORE 2 +FLAGS (\\Flagged)");
                cmd(a, "d", "UID STORE 3:4 +FLAGS (\\Deleted)");
                assertThat(cmd(a, "x", "UID EXPUNGE 3:4")).as("VANISHED, not EXPUNGE")
                        .containsExactly("* VANISHED 3:4", "x OK UID EXPUNGE completed");

                // a client that knew the mailbox at `modseq` catches up in one SELECT
                assertThat(cmd(b, "e", "ENABLE QRESYNC")).contains("* ENABLED QRESYNC");
                List<String> r = cmd(b, "s", "SELECT INBOX (QRESYNC (" + validity + " " + modseq + "))");
                assertThat(r).contains("* VANISHED (EARLIER) 3:4");
                assertThat(r).anyMatch(l -> l.matches("\\* 2 FETCH \\(UID 2 FLAGS \\(\\\\Flagged\\) MODSEQ \\(\\d+\\)\\)"));
                assertThat(r).noneMatch(l -> l.startsWith("* 1 FETCH"));
                assertThat(r).noneMatch(l -> l.contains("[CLOSED]"));

                // known UIDs limit the report; a second SELECT says the first one is closed
                r = cmd(b, "t", "EXAMINE INBOX (QRESYNC (" + validity + " " + modseq + " 1:2))");
                assertThat(r.getFirst()).isEqualTo("* OK [CLOSED] Previous mailbox closed");
                assertThat(r).noneMatch(l -> l.contains("VANISHED"));

                // another UIDVALIDITY: the client's cache is worthless, nothing incremental is sent
                r = cmd(b, "u", "SELECT INBOX (QRESYNC (" + (validity + 1) + " " + modseq + "))");
                assertThat(r).noneMatch(l -> l.contains("VANISHED") || l.contains("FETCH"));

                r = cmd(b, "v", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + modseq + " VANISHED)");
                assertThat(r.getFirst()).isEqualTo("* VANISHED (EARLIER) 3:4");
                assertThat(r).anyMatch(l -> l.startsWith("* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ ("));
                assertThat(cmd(b, "w", "FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)").getLast())
                        .as("VANISHED needs UID FETCH").startsWith("w BAD");

                // an expunge by another session reaches b as VANISHED at its next command
                cmd(a, "g", "STORE 1 +FLAGS (\\Deleted)");
                cmd(a, "h", "EXPUNGE");
                assertThat(cmd(b, "n", "NOOP")).contains("* VANISHED 1");
            }
        }
    }
}
