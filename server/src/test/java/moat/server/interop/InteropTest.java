package moat.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.TestServer;
import moat.store.MailStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real SMTP clients from Debian (Python smtplib, swaks, curl) against a real Moat on loopback.
 * Each test checks three things: what the client reports, what the store holds, and the audit
 * log's smtp.transaction event. A missing client fails the test and names the package.
 */
@Tag("interop")
class InteropTest {
    static final String ALICE = "alice@example.org";
    static final String BOB = "bob@example.org";
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(tmp);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    // ---------------------------------------------------------------- Python smtplib

    static final String SMTPLIB = """
            import smtplib, ssl, sys
            mode, port, cafile, user, password, sender, rcpt, subject = sys.argv[1:9]
            port = int(port)
            NAME = "mx.test.example"  # the certificate's SAN; we dial 127.0.0.1

            def context():
                ctx = ssl.create_default_context(cafile=cafile)  # trust exactly the server's self-signed cert
                ctx.check_hostname = True
                ctx.verify_mode = ssl.CERT_REQUIRED
                return ctx

            class VerifyingSMTP(smtplib.SMTP):
                def starttls(self, context):
                    self._host = NAME
                    return super().starttls(context=context)

            class VerifyingSMTP_SSL(smtplib.SMTP_SSL):
                def _get_socket(self, host, port, timeout):
                    self._host = NAME
                    return super()._get_socket(host, port, timeout)

            msg = ("From: <%s>\\r\\nTo: <%s>\\r\\nSubject: %s\\r\\nMessage-ID: <%s@client.example>\\r\\n\\r\\n"
                   "Hello from Python smtplib, mode %s.\\r\\n" % (sender, rcpt, subject, mode, mode)).encode("utf-8")

            def auth_plain(s):
                s.user, s.password = user, password
                code, text = s.auth("PLAIN", s.auth_plain)
                print("AUTH", code)

            if mode == "starttls" or mode == "utf8":
                s = VerifyingSMTP("127.0.0.1", port, local_hostname="client.example", timeout=20)
                s.ehlo()
                print("AUTH-BEFORE-TLS", s.has_extn("auth"))
                s.starttls(context=context())
                s.ehlo()
                print("TLS", s.sock.version())
                auth_plain(s)
            elif mode == "ssl":
                s = VerifyingSMTP_SSL("127.0.0.1", port, local_hostname="client.example", timeout=20, context=context())
                s.ehlo()
                print("TLS", s.sock.version())
                auth_plain(s)
            else:
                s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=20)
                s.ehlo()

            if mode == "relay":
                try:
                    s.sendmail(sender, [rcpt], msg)
                    print("ACCEPTED")
                    sys.exit(3)
                except smtplib.SMTPRecipientsRefused as e:
                    code, text = e.recipients[rcpt]
                    print("REFUSED", code, text.decode())
            elif mode == "utf8":
                print("SMTPUTF8-OFFERED", s.has_extn("smtputf8"))
                refused = s.sendmail(sender, [rcpt], msg, mail_options=["SMTPUTF8"])
                print("SENT", refused)
            else:
                refused = s.sendmail(sender, [rcpt], msg)
                print("SENT", refused)
            s.quit()
            """;

    Peers.Result smtplib(String mode, Listener listener, String user, String password, String from, String to,
                         String subject) throws Exception {
        String python = Peers.require("python3", "python3");
        Path script = tmp.resolve("smtplib_client.py");
        Files.writeString(script, SMTPLIB, StandardCharsets.UTF_8);
        return Peers.run(tmp, TIMEOUT, "", List.of(python, script.toString(), mode, String.valueOf(server.port(listener)),
                server.certificate().toString(), user, password, from, to, subject));
    }

    @Test
    void smtplibStartTlsAuthPlainOnSubmission() throws Exception {
        Peers.Result r = smtplib("starttls", Listener.SUBMISSION, ALICE, TestServer.ALICE_PASSWORD, ALICE, BOB, "smtplib-587");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.output()).as(r.describe())
                .contains("AUTH-BEFORE-TLS False").contains("AUTH 235").containsPattern("TLS TLSv1\\.[23]").contains("SENT {}");
        assertDelivered(BOB, "smtplib-587", "Hello from Python smtplib, mode starttls.", "submission", ALICE);
    }

    @Test
    void smtplibImplicitTlsOnSubmissions() throws Exception {
        Peers.Result r = smtplib("ssl", Listener.SUBMISSIONS, ALICE, TestServer.ALICE_PASSWORD, ALICE, BOB, "smtplib-465");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.output()).as(r.describe()).contains("AUTH 235").containsPattern("TLS TLSv1\\.[23]").contains("SENT {}");
        assertDelivered(BOB, "smtplib-465", "Hello from Python smtplib, mode ssl.", "submissions", ALICE);
    }

    @Test
    void smtplibPlainOnMxDeliversLocally() throws Exception {
        Peers.Result r = smtplib("plain", Listener.MX, "", "", "someone@remote.example", BOB, "smtplib-25");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.output()).as(r.describe()).contains("SENT {}");
        StoredMail m = stored(BOB, "smtplib-25");
        assertThat(m.body()).contains("Hello from Python smtplib, mode plain.");
        JsonNode tx = Peers.transaction(server, m.queueId());
        assertThat(tx.path("listener").asText()).isEqualTo("mx");
        assertThat(tx.path("code").asInt()).isEqualTo(250);
        assertThat(tx.has("tls_version")).as("plain session: %s", tx).isFalse();
        assertThat(tx.has("auth_user")).as("anonymous session: %s", tx).isFalse();
        assertThat(tx.path("mail_from").asText()).isEqualTo("someone@remote.example");
    }

    @Test
    void smtplibRelayAttemptOnMxIsRefusedWith554() throws Exception {
        Peers.Result r = smtplib("relay", Listener.MX, "", "", "someone@remote.example", "victim@elsewhere.example",
                "smtplib-relay");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.output()).as(r.describe()).contains("REFUSED 554 5.7.1 Relay access denied");
        assertThat(server.store().outbound()).isEmpty();
        JsonNode rejected = Peers.awaitEvent(server, e -> e.toString().contains("victim@elsewhere.example")
                && e.toString().contains("554"), "naming the refused relay recipient");
        assertThat(rejected.path("listener").asText()).isEqualTo("mx");
        assertThat(rejected.has("queue_id")).isFalse();
    }

    @Test
    void smtplibSmtpUtf8ToRemoteUtf8LocalPartIsQueuedOutbound() throws Exception {
        String rcpt = "δοκιμή.χρήστης@remote.example";
        Peers.Result r = smtplib("utf8", Listener.SUBMISSION, ALICE, TestServer.ALICE_PASSWORD, ALICE, rcpt, "smtplib-utf8");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.output()).as(r.describe()).contains("SMTPUTF8-OFFERED True").contains("SENT {}");
        List<MailStore.QueuedMessage> queued = server.store().outbound();
        assertThat(queued).as("outbound queue").hasSize(1);
        MailStore.QueuedMessage q = queued.getFirst();
        assertThat(q.recipient().toString()).isEqualTo(rcpt);
        assertThat(q.sender().map(Object::toString)).contains(ALICE);
        JsonNode tx = Peers.transaction(server, q.queueId());
        Peers.assertTlsAuthTransaction(tx, "submission", ALICE);
        assertThat(tx.path("rcpts").get(0).path("address").asText()).isEqualTo(rcpt);
    }

    // ---------------------------------------------------------------- swaks

    List<String> swaks(Listener listener, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(Peers.requireSwaksWithTls(),
                "--server", "127.0.0.1:" + server.port(listener), "--helo", "client.example",
                "--from", ALICE, "--to", BOB, "--timeout", "20",
                "--auth", "PLAIN", "--auth-user", ALICE, "--auth-password", TestServer.ALICE_PASSWORD));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    @Test
    void swaksStartTlsAuthPlainOnSubmission() throws Exception {
        Peers.Result r = Peers.run(tmp, swaks(Listener.SUBMISSION, "--tls",
                "--tls-verify", "--tls-ca-path", server.certificate().toString(), "--tls-sni", "mx.test.example",
                "--header", "Subject: swaks-587", "--body", "Hello from swaks over STARTTLS."));
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.output()).as(r.describe()).contains("<-  220 2.0.0 Ready to start TLS").contains("<~  235 ").containsPattern("<~  250 2\\.0\\.0 Ok: queued as");
        assertDelivered(BOB, "swaks-587", "Hello from swaks over STARTTLS.", "submission", ALICE);
    }

    @Test
    void swaksImplicitTlsOnSubmissions() throws Exception {
        Peers.Result r = Peers.run(tmp, swaks(Listener.SUBMISSIONS, "--tlsc",
                "--tls-verify", "--tls-ca-path", server.certificate().toString(), "--tls-sni", "mx.test.example",
                "--header", "Subject: swaks-465", "--body", "Hello from swaks over implicit TLS."));
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.output()).as(r.describe()).contains("<~  235 ").containsPattern("<~  250 2\\.0\\.0 Ok: queued as");
        assertDelivered(BOB, "swaks-465", "Hello from swaks over implicit TLS.", "submissions", ALICE);
    }

    @Test
    void swaksAuthWithoutTlsFailsBecauseAuthIsNotOffered() throws Exception {
        Peers.Result r = Peers.run(tmp, swaks(Listener.SUBMISSION,
                "--header", "Subject: swaks-no-tls", "--body", "must never be stored"));
        assertThat(r.exit()).as(r.describe()).isNotZero();
        // swaks stops before AUTH: the server did not advertise it on the cleartext channel
        assertThat(r.output()).as(r.describe()).containsIgnoringCase("did not advertise")
                .doesNotContain("~> AUTH").doesNotContain(TestServer.ALICE_PASSWORD);
        assertThat(server.inbox(BOB)).isEmpty();
        assertThat(server.store().outbound()).isEmpty();
        assertThat(Peers.audit(server)).noneMatch(e -> "smtp.transaction".equals(e.path("event").asText())
                && e.has("queue_id"));
    }

    // ---------------------------------------------------------------- curl

    Peers.Result curl(String url, String subject) throws Exception {
        Path eml = tmp.resolve(subject + ".eml");
        Files.writeString(eml, "From: <" + ALICE + ">\r\nTo: <" + BOB + ">\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject + "@client.example>\r\n\r\nHello from curl, " + subject + ".\r\n");
        int port = Integer.parseInt(url.replaceAll(".*:(\\d+)$", "$1"));
        return Peers.run(tmp, List.of(Peers.requireCurlWith("smtp", "smtps"), "--silent", "--show-error", "--verbose",
                "--max-time", "30", "--ssl-reqd", url.replace("127.0.0.1", "mx.test.example") + "/client.example", // the path is the EHLO name
                "--resolve", "mx.test.example:" + port + ":127.0.0.1",
                "--cacert", server.certificate().toString(),
                "--mail-from", ALICE, "--mail-rcpt", BOB, "-T", eml.toString(),
                "-u", ALICE + ":" + TestServer.ALICE_PASSWORD));
    }

    @Test
    void curlStartTlsOnSubmission() throws Exception {
        Peers.Result r = curl("smtp://127.0.0.1:" + server.port(Listener.SUBMISSION), "curl-587");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.output()).as(r.describe()).contains("STARTTLS").contains("SSL certificate verify ok")
                .containsPattern("< 250 2\\.0\\.0 Ok: queued as");
        assertDelivered(BOB, "curl-587", "Hello from curl, curl-587.", "submission", ALICE);
    }

    @Test
    void curlImplicitTlsOnSubmissions() throws Exception {
        Peers.Result r = curl("smtps://127.0.0.1:" + server.port(Listener.SUBMISSIONS), "curl-465");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.output()).as(r.describe()).contains("SSL certificate verify ok")
                .containsPattern("< 250 2\\.0\\.0 Ok: queued as");
        assertDelivered(BOB, "curl-465", "Hello from curl, curl-465.", "submissions", ALICE);
    }

    // ---------------------------------------------------------------- helpers

    record StoredMail(String queueId, String body) {}

    StoredMail stored(String user, String subject) throws IOException {
        List<StoredMail> hits = new ArrayList<>();
        for (MailStore.StoredMessage m : server.store().messages(EmailAddress.of(user), "INBOX")) {
            try (InputStream in = server.store().open(m)) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (body.contains("\r\nSubject: " + subject + "\r\n")) hits.add(new StoredMail(m.queueId(), body));
            }
        }
        assertThat(hits).as("messages with Subject %s in %s's INBOX (inbox: %s)", subject, user, server.inbox(user)).hasSize(1);
        return hits.getFirst();
    }

    void assertDelivered(String user, String subject, String bodyText, String listener, String authUser) throws Exception {
        StoredMail m = stored(user, subject);
        assertThat(m.body()).startsWith("Received: from client.example").contains(bodyText + "\r\n");
        assertThat(m.body()).contains("(authenticated as " + authUser + ")").contains("with ESMTPSA id " + m.queueId());
        JsonNode tx = Peers.transaction(server, m.queueId());
        Peers.assertTlsAuthTransaction(tx, listener, authUser);
        assertThat(tx.path("mail_from").asText()).isEqualTo(authUser);
        assertThat(Optional.ofNullable(tx.path("rcpts").get(0)).map(n -> n.path("address").asText())).contains(user);
    }
}
