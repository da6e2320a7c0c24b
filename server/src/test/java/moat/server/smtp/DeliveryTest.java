package moat.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import moat.core.EmailAddress;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What was accepted is stored byte for byte, traced, and logged. */
class DeliveryTest {
    @TempDir
    Path tmp;

    private static final String BODY = "From: a@remote.example\r\nSubject: t\r\n\r\n.leading dot\r\nline 2\r\n\u00e9t\u00e9\r\n";

    @Test
    void storesTheMessageByteIdenticalWithOneReceivedHeader() throws Exception {
        try (TestServer s = TestServer.start(tmp); SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.reply();
            c.cmd("EHLO client.example");
            c.cmd("MAIL FROM:<a@remote.example> BODY=8BITMIME");
            c.cmd("RCPT TO:<alice@example.org>");
            c.cmd("RCPT TO:<sales@example.org>"); // alias of alice: delivered once
            c.cmd("RCPT TO:<bob@example.org>");
            assertThat(c.cmd("DATA")).startsWith("354");
            String reply = c.cmd(BODY.replace("\r\n.leading", "\r\n..leading") + ".");
            assertThat(reply).matches("250 2\\.0\\.0 Ok: queued as \\S+");
            String queueId = reply.substring(reply.lastIndexOf(' ') + 1);

            List<String> alice = s.inbox("alice@example.org");
            assertThat(alice).hasSize(1);
            assertThat(s.inbox("bob@example.org")).hasSize(1);
            String stored = alice.getFirst();
            assertThat(stored).startsWith("Received: from client.example ([127.0.0.1])\r\n\tby mx.test.example with ESMTP id " + queueId + ";\r\n\t");
            int dateLine = stored.indexOf(";\r\n\t") + 4;
            assertThat(stored.substring(dateLine, stored.indexOf("\r\n", dateLine))).matches("\\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000");
            // docs/adr/0009: Authentication-Results follows our Received field, then the message as sent.
            String rest = stored.substring(stored.indexOf("\r\n", dateLine) + 2);
            assertThat(rest).startsWith("Authentication-Results: mx.test.example;");
            assertThat(rest.substring(rest.length() - BODY.length())).as("the body exactly as sent, unstuffed").isEqualTo(BODY);
            assertThat(rest.substring(0, rest.length() - BODY.length())).as("one field added: Authentication-Results")
                    .matches("Authentication-Results: [^\\r]*(\\r\\n[ \\t][^\\r]*)*\\r\\n");

            JsonNode tx = lastEvent(s, "smtp.transaction");
            assertThat(tx.get("queue_id").asText()).isEqualTo(queueId);
            assertThat(tx.get("code").asInt()).isEqualTo(250);
            assertThat(tx.get("mail_from").asText()).isEqualTo("a@remote.example");
            assertThat(tx.get("rcpts")).hasSize(3);
            assertThat(tx.get("helo").asText()).isEqualTo("client.example");
            assertThat(tx.get("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(tx.get("client_ip").asText()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void submissionTracesTlsAndUserAndQueuesRemoteRecipients() throws Exception {
        try (TestServer s = TestServer.start(tmp); SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.SUBMISSION))) {
            c.reply();
            c.cmd("EHLO client.example");
            assertThat(c.cmd("STARTTLS")).startsWith("220");
            c.startTls();
            c.cmd("EHLO client.example");
            String plain = Base64.getEncoder().encodeToString("\0alice@example.org\0alice-password-1".getBytes());
            assertThat(c.cmd("AUTH PLAIN " + plain)).startsWith("235");
            c.cmd("MAIL FROM:<alice@example.org>");
            assertThat(c.cmd("RCPT TO:<friend@remote.example>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<bob@example.org>")).startsWith("250");
            c.cmd("DATA");
            assertThat(c.cmd("Subject: s\r\n\r\nhi\r\n.")).startsWith("250");

            String stored = s.inbox("bob@example.org").getFirst();
            assertThat(stored).contains("(using TLSv1.3 with cipher TLS_");
            assertThat(stored).contains("(authenticated as alice@example.org)");
            assertThat(stored).contains("with ESMTPSA id ");
            assertThat(s.store().outbound()).singleElement()
                    .satisfies(q -> assertThat(q.recipient()).isEqualTo(EmailAddress.of("friend@remote.example")));

            JsonNode auth = lastEvent(s, "smtp.auth");
            assertThat(auth.get("auth_user").asText()).isEqualTo("alice@example.org");
            JsonNode tx = lastEvent(s, "smtp.transaction");
            assertThat(tx.get("tls_version").asText()).isEqualTo("TLSv1.3");
            assertThat(tx.get("auth_user").asText()).isEqualTo("alice@example.org");
            assertThat(String.join("\n", s.auditLines())).doesNotContain("alice-password-1").doesNotContain(plain);
        }
    }

    @Test
    void refusedMessageLeavesNothingBehindAndIsLoggedWithItsReason() throws Exception {
        try (TestServer s = TestServer.start(tmp); SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.reply();
            c.cmd("EHLO client.example");
            c.cmd("MAIL FROM:<a@remote.example>");
            c.cmd("RCPT TO:<alice@example.org>");
            c.cmd("DATA");
            assertThat(c.cmd("Subject: x\r\n\r\nsmuggle\n.\nMAIL FROM:<x@y>\r\n.")).startsWith("554 5.6.0");
            assertThat(s.inbox("alice@example.org")).isEmpty();
            JsonNode tx = lastEvent(s, "smtp.transaction");
            assertThat(tx.get("reason").asText()).isEqualTo("data.bare_lf");
            assertThat(tx.has("queue_id")).isFalse();
            try (var files = java.nio.file.Files.walk(tmp.resolve("data").resolve("messages"))) {
                assertThat(files.filter(java.nio.file.Files::isRegularFile).count()).as("no body file left").isZero();
            }
        }
    }

    private static JsonNode lastEvent(TestServer s, String event) throws Exception {
        ObjectMapper m = new ObjectMapper();
        JsonNode last = null;
        for (String line : s.auditLines()) {
            JsonNode n = m.readTree(line);
            if (n.get("event").asText().equals(event)) last = n;
        }
        assertThat(last).as("an %s event in the audit log", event).isNotNull();
        return last;
    }
}
