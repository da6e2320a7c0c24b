package moat.server.imap;

import static moat.server.imap.ImapEndToEndTest.cmd;
import static moat.server.imap.ImapEndToEndTest.login;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import moat.core.EmailAddress;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import moat.store.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parsed-structure cache over real sockets: a stored message (APPEND or SMTP delivery) is
 * summarised in the background, FETCHes and header SEARCHes answer from the summary (shown by
 * planting a marker in the store), and a summary of another format is ignored and rebuilt.
 */
class ImapSummaryCacheTest {
    @TempDir
    Path tmp;

    private static final EmailAddress ALICE = EmailAddress.of("alice@example.org");
    private static final byte[] MESSAGE = ("From: Bob <bob@example.org>\r\nSubject: real subject\r\n"
            + "Message-ID: <r1@example.org>\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Polls (bounded: 10 s) until the background filler has summarised the message. */
    static Mailboxes.Summary awaitSummary(Mailboxes mb, long mailbox, long uid) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Mailboxes.Summary s = mb.summaries(mailbox, List.of(uid)).get(uid);
            if (s != null) return s;
            Thread.sleep(50);
        }
        return null;
    }

    @Test
    void appendedAndDeliveredMessagesAreSummarisedWithoutAnyFetch() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            mb.append(inbox, MESSAGE, Set.of(), Instant.parse("2026-01-02T03:04:05Z"));
            Mailboxes.Summary appended = awaitSummary(mb, inbox, 1);
            assertThat(appended).as("summarised after APPEND, no FETCH").isNotNull();
            assertThat(new String(appended.envelope(), StandardCharsets.UTF_8)).contains("\"real subject\"");
            assertThat(new String(appended.header(), StandardCharsets.US_ASCII)).startsWith("From: Bob").endsWith("\r\n\r\n");

            ImapEndToEndTest.submit(server, "bob@example.org", TestServer.BOB_PASSWORD, "alice@example.org",
                    "From: bob@example.org\nTo: alice@example.org\nSubject: =?utf-8?q?caf=C3=A9?= over SMTP\n\nHi");
            Mailboxes.Summary delivered = awaitSummary(mb, inbox, 2);
            assertThat(delivered).as("summarised after SMTP delivery, no FETCH").isNotNull();
            assertThat(new String(delivered.header(), StandardCharsets.US_ASCII))
                    .as("the trace prefix kept in the index row (ADR 0020) is part of the cached header")
                    .startsWith("Received: ").contains("\r\nFrom: bob@example.org\r\n");
            byte[] fields = mb.headerFields(inbox, List.of(2L), List.of()).get(2L).fields();
            assertThat(new String(fields, StandardCharsets.UTF_8)).contains("subject\0café over smtp\0")
                    .as("only the searched fields are kept").doesNotContain("received");
        }
    }

    @Test
    void fetchAndHeaderSearchReadTheSummaryAndAnotherFormatIsRebuilt() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            mb.append(inbox, MESSAGE, Set.of(), Instant.parse("2026-01-02T03:04:05Z"));
            try (SmtpClient c = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                cmd(c, "a", "SELECT INBOX");
                assertThat(cmd(c, "b", "FETCH 1 ENVELOPE").getFirst()).contains("\"real subject\"");
                Mailboxes.Summary saved = awaitSummary(mb, inbox, 1);
                assertThat(saved).isNotNull();

                // a planted marker of the current format is what FETCH and SEARCH now see
                mb.saveSummaries(inbox, Map.of(1L, new Mailboxes.Summary(saved.format(), b("(PLANTED)"),
                        saved.body(), saved.bodyStructure(), b("Subject: planted marker\r\n\r\n"),
                        b("subject\0planted marker\0"))));
                assertThat(cmd(c, "c", "FETCH 1 ENVELOPE").getFirst()).isEqualTo("* 1 FETCH (ENVELOPE (PLANTED))");
                assertThat(cmd(c, "d", "SEARCH SUBJECT \"planted\"").getFirst()).isEqualTo("* SEARCH 1");
                assertThat(cmd(c, "d2", "SEARCH SUBJECT \"real\"").getFirst()).as("not the file").isEqualTo("* SEARCH");
                assertThat(cmd(c, "e", "SEARCH BODY \"body\"").getFirst()).as("BODY reads the file").isEqualTo("* SEARCH 1");

                // another format is ignored: parsed again and replaced
                mb.saveSummaries(inbox, Map.of(1L, new Mailboxes.Summary(saved.format() + 1000, b("(STALE)"),
                        saved.body(), saved.bodyStructure(), saved.header(), saved.fields())));
                assertThat(cmd(c, "f", "SEARCH SUBJECT \"real\"").getFirst()).isEqualTo("* SEARCH 1");
                assertThat(cmd(c, "g", "FETCH 1 ENVELOPE").getFirst()).contains("\"real subject\"");
                assertThat(mb.summaries(inbox, List.of(1L)).get(1L).format()).isEqualTo(saved.format());
            }
        }
    }

    private static final String[] MESSAGES = {
            // 1: encoded-words in Subject and in a From display name; a folded To
            "From: =?iso-8859-1?q?J=F6rg_M=FCller?= <joerg@example.net>\r\nTo: Alice <alice@example.org>,\r\n"
                    + " Carol <carol@example.com>\r\nSubject: =?utf-8?b?w4ljbGFpciBhdSBjYWbDqQ==?=\r\n"
                    + "X-Ticket: ABC-123\r\n\r\nbody one needle\r\n",
            // 2: raw UTF-8 header (RFC 6532), Cc, a header only this one has
            "From: bob@example.org\r\nCc: Dave <dave@example.org>\r\nSubject: Grüße aus Köln\r\n"
                    + "X-Only-Here: yes\r\n\r\nbody two\r\n",
            // 3: plain ASCII, mixed case
            "From: Carol <carol@example.com>\r\nTo: bob@example.org\r\nSubject: Quarterly REPORT\r\n\r\nthree\r\n",
    };

    @Test
    void headerSearchMatchesDecodedUnfoldedValuesCaseInsensitively() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            for (String m : MESSAGES) mb.append(inbox, b(m), Set.of(), Instant.parse("2026-01-02T03:04:05Z"));
            try (SmtpClient c = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                cmd(c, "a", "SELECT INBOX");
                // twice: the first may parse (filler still busy), the second reads the cache
                for (int round = 0; round < 2; round++) {
                    assertThat(cmd(c, "b", "SEARCH SUBJECT \"CAFÉ\"").getFirst()).isEqualTo("* SEARCH 1");
                    assertThat(cmd(c, "c", "SEARCH CHARSET UTF-8 SUBJECT \"grüße\"").getFirst()).isEqualTo("* SEARCH 2");
                    assertThat(cmd(c, "d", "SEARCH FROM \"jörg müller\"").getFirst()).isEqualTo("* SEARCH 1");
                    assertThat(cmd(c, "e", "SEARCH FROM carol").getFirst()).isEqualTo("* SEARCH 3");
                    assertThat(cmd(c, "f", "SEARCH TO \"carol@example.com\"").getFirst()).as("folded To").isEqualTo("* SEARCH 1");
                    assertThat(cmd(c, "g", "SEARCH CC dave").getFirst()).isEqualTo("* SEARCH 2");
                    assertThat(cmd(c, "h", "SEARCH HEADER x-ticket abc-1").getFirst()).isEqualTo("* SEARCH 1");
                    assertThat(cmd(c, "i", "SEARCH HEADER X-ONLY-HERE \"\"").getFirst()).as("presence").isEqualTo("* SEARCH 2");
                    assertThat(cmd(c, "j", "SEARCH NOT SUBJECT report").getFirst()).isEqualTo("* SEARCH 1 2");
                    assertThat(cmd(c, "k", "SEARCH OR SUBJECT report CC dave").getFirst()).isEqualTo("* SEARCH 2 3");
                    assertThat(cmd(c, "l", "SEARCH SUBJECT report FROM bob").getFirst()).isEqualTo("* SEARCH");
                    assertThat(cmd(c, "m", "SEARCH SUBJECT \"x-ticket\"").getFirst()).as("a name is no value")
                            .isEqualTo("* SEARCH");
                    assertThat(cmd(c, "n", "SEARCH SUBJECT \"café\" BODY needle").getFirst()).isEqualTo("* SEARCH 1");
                    assertThat(cmd(c, "o", "SEARCH TEXT \"x-only-here\"").getFirst()).isEqualTo("* SEARCH 2");
                    awaitSummary(mb, inbox, 3);
                }
            }
        }
    }
}
