package moat.server.content;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import moat.core.dns.StaticZone;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Content;
import moat.policy.FailAction;
import moat.policy.Policy;
import moat.policy.Verdict;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.store.OutboundQueue;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data stage over real sockets: the configured content checks (and a check registered the
 * way an embedding program would) judge the staged message at end of DATA, inbound and on
 * submission; a refusal stores nothing, a quarantine goes to Junk or a held queue row, and a
 * check that fails or hangs defers instead of losing the message.
 */
class ContentChecksTest {
    @TempDir
    Path tmp;

    private static final String EXE_MAIL = """
            From: a@remote.example\r
            Subject: invoice\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain\r
            \r
            see attached\r
            --b1\r
            Content-Type: application/octet-stream\r
            Content-Disposition: attachment;\r
             filename*0="invoice.pdf";\r
             filename*1=".exe"\r
            Content-Transfer-Encoding: base64\r
            \r
            TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA=\r
            --b1--\r
            """;

    private static final String PDF_MAIL = EXE_MAIL.replace("filename*1=\".exe\"", "filename*1=\".txt\"");

    @Test
    void inboundMessageWithAnExecutableAttachmentIsRefusedAndNothingIsStored() throws Exception {
        try (TestServer s = TestServer.start(tmp); SmtpClient c = mx(s)) {
            assertThat(c.transaction("a@remote.example", "alice@example.org", EXE_MAIL)).startsWith("550 5.7.1 ").contains("(.exe)");
            assertThat(s.inbox("alice@example.org")).isEmpty();
            assertThat(TestServer.bodyFiles(tmp)).as("no body file left").isZero();
            JsonNode v = s.lastAuditEvent("content.verdict");
            assertThat(v.get("check").asText()).isEqualTo("content.attachment");
            assertThat(v.get("verdict").asText()).isEqualTo("reject");
            assertThat(s.lastAuditEvent("smtp.transaction").get("content").asText()).isEqualTo("reject content.attachment");

            // The same connection goes on: a harmless attachment is delivered.
            assertThat(c.transaction("a@remote.example", "alice@example.org", PDF_MAIL)).startsWith("250 ");
            assertThat(s.inbox("alice@example.org")).singleElement().asString().contains("invoice.pdf");
        }
    }

    @Test
    void bdatGetsTheSameCheckAtItsLastChunk() throws Exception {
        try (TestServer s = TestServer.start(tmp); SmtpClient c = mx(s)) {
            byte[] msg = EXE_MAIL.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int half = msg.length / 2;
            assertThat(c.cmd("MAIL FROM:<a@remote.example>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250");
            c.send("BDAT " + half + "\r\n");
            c.sendBytes(java.util.Arrays.copyOfRange(msg, 0, half));
            assertThat(c.reply().getLast()).startsWith("250");
            c.send("BDAT " + (msg.length - half) + " LAST\r\n");
            c.sendBytes(java.util.Arrays.copyOfRange(msg, half, msg.length));
            assertThat(c.reply().getLast()).startsWith("550 5.7.1 ").contains("(.exe)");
            assertThat(s.inbox("alice@example.org")).isEmpty();
        }
    }

    @Test
    void submissionGetsTheSameChecksWithTheSenderAuthenticated() throws Exception {
        try (TestServer s = TestServer.start(tmp, "content.patterns = [\"(?i)wire the money\"]");
             SmtpClient c = submission(s)) {
            String plain = "From: alice@example.org\r\nSubject: hi\r\n\r\nPlease WIRE THE MONEY today.\r\n";
            assertThat(c.transaction("alice@example.org", "friend@remote.example", plain)).startsWith("550 5.7.1 ")
                    .contains("(pattern 1)").doesNotContain("wire");
            assertThat(c.transaction("alice@example.org", "bob@example.org", EXE_MAIL)).startsWith("550 5.7.1 ");
            assertThat(s.store().outbound()).isEmpty();
            assertThat(s.inbox("bob@example.org")).isEmpty();
            JsonNode v = s.lastAuditEvent("content.verdict");
            assertThat(v.get("listener").asText()).isEqualTo("submission");
            assertThat(v.get("auth_user").asText()).isEqualTo("alice@example.org");
            assertThat(c.transaction("alice@example.org", "bob@example.org", "Subject: ok\r\n\r\nfine\r\n")).startsWith("250 ");
        }
    }

    @Test
    void quarantineDeliversLocalCopiesToJunkAndHoldsRemoteOnes() throws Exception {
        try (TestServer s = TestServer.start(tmp, "content.attachment_action = \"quarantine\"")) {
            try (SmtpClient c = mx(s)) {
                assertThat(c.transaction("a@remote.example", "alice@example.org", EXE_MAIL)).startsWith("250 ");
            }
            assertThat(s.inbox("alice@example.org")).isEmpty();
            var junk = s.store().messages(moat.core.EmailAddress.of("alice@example.org"), "Junk");
            assertThat(junk).hasSize(1);
            try (var in = s.store().open(junk.getFirst())) {
                assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .contains("X-Moat-Quarantine: content.attachment; content.attachment\r\n")
                        .contains("filename*1=\".exe\"");
            }
            assertThat(s.lastAuditEvent("content.verdict").get("verdict").asText()).isEqualTo("quarantine");

            try (SmtpClient c = submission(s)) {
                assertThat(c.transaction("alice@example.org", "friend@remote.example", EXE_MAIL)).startsWith("250 ");
            }
            assertThat(s.store().outboundQueue().list()).singleElement()
                    .satisfies(e -> assertThat(e.state()).isEqualTo(OutboundQueue.State.HELD));
        }
    }

    @Test
    void aCheckThatThrowsDefersAndTheNextAttemptIsDelivered() throws Exception {
        Flaky flaky = new Flaky();
        try (TestServer s = TestServer.start(tmp, StaticZone.builder().build(), Clock.systemUTC(),
                List.of(new Policy.Rule(flaky, FailAction.REJECT, 0)));
             SmtpClient c = mx(s)) {
            flaky.failures = 1;
            assertThat(c.transaction("a@remote.example", "alice@example.org", "Subject: 1\r\n\r\nbody\r\n"))
                    .startsWith("451 4.3.0 ");
            assertThat(s.inbox("alice@example.org")).isEmpty();
            assertThat(TestServer.bodyFiles(tmp)).isZero();
            JsonNode failed = s.lastAuditEvent("content.check_failed");
            assertThat(failed.get("error").asText()).contains("scanner unavailable");
            assertThat(failed.get("action").asText()).isEqualTo("defer");
            // The client kept the message (4xx) and retries: now it is delivered, whole.
            assertThat(c.transaction("a@remote.example", "alice@example.org", "Subject: 1\r\n\r\nbody\r\n")).startsWith("250 ");
            assertThat(s.inbox("alice@example.org")).singleElement().asString()
                    .endsWith("Subject: 1\r\n\r\nbody\r\n")
                    .contains("X-Scanned: flaky saw 1 recipient(s), headers with Authentication-Results\r\n");
            assertThat(flaky.sawBody).isTrue();
        }
    }

    @Test
    void aCheckThatHangsIsCutOffAtTheTimeoutAndDefers() throws Exception {
        // A catastrophically backtracking pattern (polynomial of degree 12 in the run of a's; java.util.regex
        // memoizes the classic (a+)+ but not this): the pipeline's time limit must end it.
        try (TestServer s = TestServer.start(tmp, "content.patterns = [\"(.*a){12}!!\"]", "content.timeout = \"1s\"");
             SmtpClient c = mx(s)) {
            String evil = "Subject: x\r\n\r\n" + "a".repeat(60) + "!\r\n";
            assertThat(c.transaction("a@remote.example", "alice@example.org", evil)).startsWith("451 4.3.0 ");
            assertThat(s.inbox("alice@example.org")).isEmpty();
            assertThat(s.lastAuditEvent("content.check_failed").get("error").asText()).startsWith("timeout");
        }
    }

    @Test
    void failOpenDeliversWhenTheCheckFails() throws Exception {
        Flaky flaky = new Flaky();
        flaky.failures = 1;
        try (TestServer s = TestServer.start(tmp, StaticZone.builder().build(), Clock.systemUTC(),
                List.of(new Policy.Rule(flaky, FailAction.REJECT, 0)), "content.on_error = \"accept\"");
             SmtpClient c = mx(s)) {
            assertThat(c.transaction("a@remote.example", "alice@example.org", "Subject: 1\r\n\r\nbody\r\n")).startsWith("250 ");
            assertThat(s.inbox("alice@example.org")).hasSize(1);
            assertThat(s.lastAuditEvent("smtp.transaction").get("content").asText()).isEqualTo("unchecked");
        }
    }

    /** Fails the first {@code failures} calls (a scanner that is down), then adds a header. */
    static final class Flaky implements Check {
        volatile int failures;
        volatile boolean sawBody;

        @Override
        public String name() {
            return "test.flaky";
        }

        @Override
        public boolean reputation() {
            return false;
        }

        @Override
        public Verdict data(CheckState state, Content content) {
            if (failures-- > 0) throw new IllegalStateException("scanner unavailable");
            try (var in = content.open()) {
                sawBody = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1).endsWith("body\r\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new Verdict.AddHeader("X-Scanned", "flaky saw " + content.recipients().size() + " recipient(s), headers "
                    + (content.headers().contains("Authentication-Results:") ? "with" : "without") + " Authentication-Results");
        }
    }

    private static SmtpClient mx(TestServer s) throws Exception {
        SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX));
        c.reply();
        c.cmd("EHLO client.example");
        return c;
    }

    private static SmtpClient submission(TestServer s) throws Exception {
        SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.SUBMISSION));
        c.reply();
        c.cmd("EHLO client.example");
        assertThat(c.cmd("STARTTLS")).startsWith("220");
        c.startTls();
        c.cmd("EHLO client.example");
        String plain = Base64.getEncoder().encodeToString("\0alice@example.org\0alice-password-1".getBytes());
        assertThat(c.cmd("AUTH PLAIN " + plain)).startsWith("235");
        return c;
    }
}
