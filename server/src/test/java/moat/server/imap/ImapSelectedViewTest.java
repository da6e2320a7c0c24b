package moat.server.imap;

import static moat.server.imap.ImapEndToEndTest.cmd;
import static moat.server.imap.ImapEndToEndTest.login;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import moat.core.EmailAddress;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import moat.store.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compact selected-mailbox view (docs/adr/0018) over real sockets, two sessions of one
 * user: SELECT reads only the counters and UIDs, the message details later; what one session
 * changes reaches the other as FETCH FLAGS, EXPUNGE and EXISTS (RFC 9051 section 7.5), whether
 * or not the details were loaded yet, and never twice for the session's own STORE.
 */
class ImapSelectedViewTest {
    @TempDir
    Path tmp;

    private static final EmailAddress ALICE = EmailAddress.of("alice@example.org");

    private static void append(Mailboxes mb, long inbox, int n) throws Exception {
        for (int i = 1; i <= n; i++)
            mb.append(inbox, ("Subject: " + i + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII), Set.of(),
                    Instant.parse("2026-01-0" + Math.min(i, 9) + "T00:00:00Z"));
    }

    @Test
    void selectOverGapsNumbersMessagesByTheirUids() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            append(mb, inbox, 5);
            mb.store(inbox, Set.of(1L, 3L), Mailboxes.FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
            mb.expunge(inbox, Optional.empty());
            try (SmtpClient a = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                List<String> sel = cmd(a, "s", "SELECT INBOX");
                assertThat(sel).contains("* 3 EXISTS", "* OK [UIDNEXT 6] Predicted next UID");
                assertThat(cmd(a, "f", "FETCH 1:* (UID RFC822.SIZE INTERNALDATE)")).containsExactly(
                        "* 1 FETCH (UID 2 RFC822.SIZE 17 INTERNALDATE \"02-Jan-2026 00:00:00 +0000\")",
                        "* 2 FETCH (UID 4 RFC822.SIZE 17 INTERNALDATE \"04-Jan-2026 00:00:00 +0000\")",
                        "* 3 FETCH (UID 5 RFC822.SIZE 17 INTERNALDATE \"05-Jan-2026 00:00:00 +0000\")",
                        "f OK FETCH completed");
                assertThat(cmd(a, "u", "UID FETCH 3:4 (FLAGS)")).containsExactly(
                        "* 2 FETCH (UID 4 FLAGS ())", "u OK UID FETCH completed");
            }
        }
    }

    @Test
    void otherSessionsChangesReachAViewWithoutDetails() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            append(mb, inbox, 4);
            try (SmtpClient a = login(server, "alice@example.org", TestServer.ALICE_PASSWORD);
                 SmtpClient b = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                assertThat(cmd(a, "s", "SELECT INBOX")).contains("* 4 EXISTS");
                cmd(b, "s", "SELECT INBOX");
                cmd(b, "f", "STORE 1 +FLAGS.SILENT (\\Flagged)");
                assertThat(cmd(a, "n", "NOOP")).containsExactly(
                        "* 1 FETCH (UID 1 FLAGS (\\Flagged))", "n OK NOOP completed");
                // our own change is told once, by the STORE itself
                assertThat(cmd(a, "t", "STORE 2 +FLAGS (\\Answered)")).containsExactly(
                        "* 2 FETCH (FLAGS (\\Answered))", "t OK STORE completed");
                assertThat(cmd(a, "n2", "NOOP")).containsExactly("n2 OK NOOP completed");
                // expunged and appended by the other session
                cmd(b, "d", "STORE 3 +FLAGS.SILENT (\\Deleted)");
                cmd(b, "x", "EXPUNGE");
                mb.append(inbox, "Subject: new\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII), Set.of("\\Seen"),
                        Instant.now());
                assertThat(cmd(a, "n3", "NOOP")).containsExactly("* 3 EXPUNGE", "* 4 EXISTS", "n3 OK NOOP completed");
                assertThat(cmd(a, "f", "FETCH 1:* (UID FLAGS)")).containsExactly(
                        "* 1 FETCH (UID 1 FLAGS (\\Flagged))",
                        "* 2 FETCH (UID 2 FLAGS (\\Answered))",
                        "* 3 FETCH (UID 4 FLAGS ())",
                        "* 4 FETCH (UID 5 FLAGS (\\Seen))",
                        "f OK FETCH completed");
            }
        }
    }

    @Test
    void aViewWithDetailsDefersExpungesAndReportsFlagsOnce() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            append(mb, inbox, 3);
            try (SmtpClient a = login(server, "alice@example.org", TestServer.ALICE_PASSWORD);
                 SmtpClient b = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                cmd(a, "s", "SELECT INBOX");
                assertThat(cmd(a, "f", "FETCH 1:* (FLAGS)")).hasSize(4); // the details are loaded now
                cmd(b, "s", "SELECT INBOX");
                cmd(b, "d", "STORE 2 +FLAGS.SILENT (\\Deleted)");
                cmd(b, "x", "EXPUNGE");
                cmd(b, "g", "UID STORE 3 +FLAGS.SILENT (\\Seen)");
                // RFC 9051 section 7.5.1: no EXPUNGE during FETCH; the gone message still answers
                // from the view (flags as last told: the view is behind until the expunge is told)
                assertThat(cmd(a, "f2", "FETCH 2:3 (FLAGS)")).containsExactly(
                        "* 2 FETCH (FLAGS ())", "* 3 FETCH (FLAGS ())", "f2 OK FETCH completed");
                assertThat(cmd(a, "n", "NOOP")).containsExactly(
                        "* 2 EXPUNGE", "* 2 FETCH (UID 3 FLAGS (\\Seen))", "n OK NOOP completed");
                assertThat(cmd(a, "n2", "NOOP")).containsExactly("n2 OK NOOP completed");
            }
        }
    }

    @Test
    void aMessageExpungedBeforeTheDetailsWereReadIsNotFetched() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            append(mb, inbox, 3);
            try (SmtpClient a = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                cmd(a, "s", "SELECT INBOX");
                mb.store(inbox, Set.of(2L), Mailboxes.FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
                mb.expunge(inbox, Optional.empty());
                assertThat(cmd(a, "f", "FETCH 1:* (UID)")).containsExactly(
                        "* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)", "f NO Some messages could not be fetched");
                assertThat(cmd(a, "n", "NOOP")).containsExactly("* 2 EXPUNGE", "n OK NOOP completed");
                assertThat(cmd(a, "f2", "FETCH 1:* (UID)")).containsExactly(
                        "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "f2 OK FETCH completed");
            }
        }
    }

    @Test
    void flagsAreReadFirstAndSizesLaterWithoutLosingAnExpungeInBetween() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            append(mb, inbox, 3);
            try (SmtpClient a = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                cmd(a, "s", "SELECT INBOX");
                // UID FLAGS MODSEQ only: the narrow scan (docs/adr/0018), answered from the view's arrays
                assertThat(cmd(a, "f", "UID FETCH 1:* (FLAGS MODSEQ)")).containsExactly(
                        "* 1 FETCH (UID 1 FLAGS () MODSEQ (1))", "* 2 FETCH (UID 2 FLAGS () MODSEQ (2))",
                        "* 3 FETCH (UID 3 FLAGS () MODSEQ (3))", "f OK UID FETCH completed");
                assertThat(cmd(a, "c", "FETCH 1:* (FLAGS) (CHANGEDSINCE 2)")).containsExactly(
                        "* 3 FETCH (FLAGS () MODSEQ (3))", "c OK FETCH completed");
                mb.store(inbox, Set.of(2L), Mailboxes.FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
                mb.expunge(inbox, Optional.empty());
                // sizes and dates are read now: message 2 is gone from the rows, so not fetched
                assertThat(cmd(a, "z", "FETCH 1:* (RFC822.SIZE)")).containsExactly(
                        "* 1 FETCH (RFC822.SIZE 17)", "* 3 FETCH (RFC822.SIZE 17)",
                        "z NO Some messages could not be fetched");
                assertThat(cmd(a, "n", "NOOP")).containsExactly("* 2 EXPUNGE", "n OK NOOP completed");
                assertThat(cmd(a, "g", "FETCH 1:* (FLAGS INTERNALDATE)")).containsExactly(
                        "* 1 FETCH (FLAGS () INTERNALDATE \"01-Jan-2026 00:00:00 +0000\")",
                        "* 2 FETCH (FLAGS () INTERNALDATE \"03-Jan-2026 00:00:00 +0000\")", "g OK FETCH completed");
                assertThat(cmd(a, "b", "FETCH 3 (FLAGS)")).containsExactly("b BAD Invalid message sequence number");
            }
        }
    }

    @Test
    void aFetchOverManyMessagesReadsSummariesInBatchesAndSendsItsResponseInBlocks() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            int n = 1_100; // more than one batch of summaries (1,000), a response of several 64 KiB blocks
            for (int i = 1; i <= n; i++)
                mb.append(inbox, ("Subject: message " + i + "\r\nFrom: a@example.org\r\n\r\nx\r\n")
                        .getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.parse("2026-01-01T00:00:00Z"));
            try (SmtpClient a = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                cmd(a, "s", "SELECT INBOX");
                for (String tag : List.of("cold", "warm")) { // parsed and saved per batch, then read per batch
                    List<String> r = cmd(a, tag, "FETCH 1:* (ENVELOPE)");
                    assertThat(r).hasSize(n + 1);
                    assertThat(r.getLast()).isEqualTo(tag + " OK FETCH completed");
                    for (int i = 1; i <= n; i++)
                        assertThat(r.get(i - 1)).startsWith("* " + i + " FETCH (ENVELOPE (NIL \"message " + i + "\" ");
                }
            }
        }
    }
}
