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
 * The parsed-structure cache over real sockets: the first FETCH ENVELOPE fills it, later
 * FETCHes and header SEARCHes answer from it (shown by planting a marker in the store), and a
 * summary of another format is ignored and rebuilt.
 */
class ImapSummaryCacheTest {
    @TempDir
    Path tmp;

    private static final EmailAddress ALICE = EmailAddress.of("alice@example.org");
    private static final byte[] MESSAGE = ("From: Bob <bob@example.org>\r\nSubject: real subject\r\n"
            + "Message-ID: <r1@example.org>\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void firstFetchFillsTheCacheAndLaterOnesReadIt() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(ALICE, "INBOX").orElseThrow().id();
            mb.append(inbox, MESSAGE, Set.of(), Instant.parse("2026-01-02T03:04:05Z"));
            assertThat(mb.summaries(inbox, List.of(1L))).isEmpty();
            try (SmtpClient c = login(server, "alice@example.org", TestServer.ALICE_PASSWORD)) {
                cmd(c, "a", "SELECT INBOX");
                assertThat(cmd(c, "b", "FETCH 1 ENVELOPE").getFirst()).contains("\"real subject\"");
                Mailboxes.Summary saved = mb.summaries(inbox, List.of(1L)).get(1L);
                assertThat(saved).as("filled by the first FETCH").isNotNull();
                assertThat(new String(saved.header(), StandardCharsets.US_ASCII)).startsWith("From: Bob")
                        .endsWith("\r\n\r\n");

                // a planted marker of the current format is what FETCH and SEARCH now see
                mb.saveSummaries(inbox, Map.of(1L, new Mailboxes.Summary(saved.format(), b("(PLANTED)"),
                        saved.body(), saved.bodyStructure(), b("Subject: planted marker\r\n\r\n"))));
                assertThat(cmd(c, "c", "FETCH 1 ENVELOPE").getFirst()).isEqualTo("* 1 FETCH (ENVELOPE (PLANTED))");
                assertThat(cmd(c, "d", "SEARCH SUBJECT \"planted\"").getFirst()).isEqualTo("* SEARCH 1");
                assertThat(cmd(c, "e", "SEARCH BODY \"body\"").getFirst()).as("BODY reads the file").isEqualTo("* SEARCH 1");

                // another format is ignored: parsed again and replaced
                mb.saveSummaries(inbox, Map.of(1L, new Mailboxes.Summary(saved.format() + 1000, b("(STALE)"),
                        saved.body(), saved.bodyStructure(), saved.header())));
                assertThat(cmd(c, "f", "FETCH 1 ENVELOPE").getFirst()).contains("\"real subject\"");
                assertThat(mb.summaries(inbox, List.of(1L)).get(1L).format()).isEqualTo(saved.format());
            }
        }
    }
}
