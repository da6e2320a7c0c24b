package moat.server.content.clamd;

import static moat.server.content.clamd.ClamdInteropTest.mx;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * clamd goes away while Moat runs (its own clamd, since this stops it): the message in the
 * middle of its transaction is deferred, not accepted unscanned and not lost; once clamd is back
 * the sender's retry is delivered whole.
 */
class ClamdDownTest {
    @TempDir
    Path tmp;

    @Test
    void clamdStoppedMidTransactionDefersAndTheRetryIsDelivered() throws Exception {
        try (ClamdDaemon clamd = ClamdDaemon.start(tmp.resolve("clamd"));
             TestServer s = TestServer.start(tmp.resolve("moat"), "content.clamd_address = \"" + clamd.unix() + "\"");
             SmtpClient c = mx(s)) {
            String mail = "Subject: while clamd restarts\r\n\r\nplease keep me\r\n";
            assertThat(c.transaction("a@remote.example", "alice@example.org", "Subject: first\r\n\r\nhi\r\n")).startsWith("250 ");

            assertThat(c.cmd("MAIL FROM:<a@remote.example>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250");
            assertThat(c.cmd("DATA")).startsWith("354");
            clamd.stop();
            assertThat(c.cmd(mail + ".")).isEqualTo("451 4.3.0 Message content could not be checked, try again later");
            assertThat(s.inbox("alice@example.org")).hasSize(1);
            JsonNode failed = s.lastAuditEvent("content.check_failed");
            assertThat(failed.get("error").asText()).contains("clamd at " + clamd.unix());
            assertThat(failed.get("action").asText()).isEqualTo("defer");
            assertThat(s.auditLines().stream().filter(l -> l.contains("\"event\":\"content.check_failed\""))).hasSize(1);

            clamd.launch();
            assertThat(c.transaction("a@remote.example", "alice@example.org", mail)).startsWith("250 ");
            assertThat(s.inbox("alice@example.org")).hasSize(2).last().asString().endsWith(mail);
        }
    }

    @Test
    void withOnErrorAcceptAMessageIsDeliveredUnscannedWhileClamdIsDown() throws Exception {
        try (TestServer s = TestServer.start(tmp, "content.clamd_address = \"unix:" + tmp.resolve("none.sock") + "\"",
                "content.on_error = \"accept\"");
             SmtpClient c = mx(s)) {
            assertThat(c.transaction("a@remote.example", "alice@example.org", "Subject: x\r\n\r\nhi\r\n")).startsWith("250 ");
            assertThat(s.lastAuditEvent("smtp.transaction").get("content").asText()).isEqualTo("unchecked");
            assertThat(s.lastAuditEvent("content.check_failed").get("action").asText()).isEqualTo("accept");
        }
    }
}
