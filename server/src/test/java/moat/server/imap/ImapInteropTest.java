package moat.server.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import moat.core.EmailAddress;
import moat.server.testing.TestServer;
import moat.store.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real IMAP clients from Debian against a real server on loopback: Python imaplib (IMAP4_SSL
 * and IMAP4 + starttls) and curl (imaps://). A missing tool fails the test naming its package.
 */
class ImapInteropTest {
    @TempDir
    Path tmp;

    record Run(int exit, String output) {}

    static Run run(Path dir, List<String> command, String debianPackage) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            fail(command.getFirst() + " is not installed: apt-get install -y " + debianPackage + " (" + e.getMessage() + ")");
            throw e;
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " timed out");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static final String PYTHON = """
            import imaplib, ssl, sys, time
            port_ssl, port_plain = int(sys.argv[1]), int(sys.argv[2])
            ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            def exercise(m, label):
                typ, caps = m.capability(); print(label, 'caps', caps[0].decode())
                print(label, 'login', m.login('alice@example.org', 'alice-password-1')[0])
                typ, data = m.append('INBOX', '(\\\\Flagged)', imaplib.Time2Internaldate(time.time()),
                                     b'From: py@example.org\\r\\nSubject: from python ' + label.encode() + b'\\r\\n\\r\\npython body\\r\\n')
                print(label, 'append', typ, data[0].decode())
                typ, data = m.select('INBOX'); print(label, 'select', typ, data[0].decode())
                typ, data = m.search(None, 'SUBJECT', '"from python ' + label + '"'); print(label, 'search', typ, data[0].decode())
                num = data[0].split()[-1]
                typ, data = m.fetch(num, '(UID FLAGS BODY.PEEK[])')
                print(label, 'fetch', typ, b'python body' in data[0][1])
                typ, data = m.uid('SEARCH', None, 'FLAGGED'); print(label, 'uidsearch', typ, data[0].decode())
                typ, data = m.store(num, '+FLAGS', '(\\\\Seen \\\\Deleted)'); print(label, 'store', typ, data[0].decode())
                typ, data = m.expunge(); print(label, 'expunge', typ, [d.decode() for d in data if d])
                typ, data = m.list(); print(label, 'list', typ, len(data))
                m.logout()
            m = imaplib.IMAP4_SSL('127.0.0.1', port_ssl, ssl_context=ctx); exercise(m, 'ssl')
            m = imaplib.IMAP4('127.0.0.1', port_plain)
            try:
                m.login('alice@example.org', 'alice-password-1'); print('plain login accepted!')
            except imaplib.IMAP4.error as e:
                print('plain login refused', e)
            m.starttls(ssl_context=ctx); exercise(m, 'starttls')
            print('DONE')
            """;

    @Test
    void pythonImaplibOverTlsAndStarttls() throws Exception {
        try (TestServer server = TestServer.start(tmp.resolve("srv"))) {
            Path script = Files.writeString(tmp.resolve("client.py"), PYTHON);
            Run r = run(tmp, List.of("python3", script.toString(), String.valueOf(server.imapPort(true)),
                    String.valueOf(server.imapPort(false))), "python3");
            assertThat(r.exit()).as(r.output()).isZero();
            String out = r.output();
            assertThat(out).as(out)
                    .contains("ssl login OK", "ssl append OK [APPENDUID", "ssl select OK 1", "ssl fetch OK True",
                            "ssl store OK", "ssl expunge OK ['1']", "plain login refused",
                            "starttls login OK", "starttls fetch OK True", "starttls expunge OK ['1']", "DONE")
                    .containsPattern("ssl caps .*AUTH=PLAIN")
                    .containsPattern("ssl search OK 1")
                    .containsPattern("ssl uidsearch OK 1");
        }
    }

    @Test
    void curlListsFetchesByUidAndSearches() throws Exception {
        try (TestServer server = TestServer.start(tmp.resolve("srv"))) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(EmailAddress.of("alice@example.org"), "INBOX").orElseThrow().id();
            mb.append(inbox, "Subject: first\r\n\r\none\r\n".getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.now());
            mb.append(inbox, "Subject: curl me\r\n\r\nthe curl body\r\n".getBytes(StandardCharsets.US_ASCII), Set.of(),
                    Instant.now());
            String base = "imaps://127.0.0.1:" + server.imapPort(true) + "/";
            List<String> common = List.of(moat.server.interop.PeersAccess.requireCurlWith("imaps"), "-k", "-s", "-S", "--max-time", "20", "-u",
                    "alice@example.org:" + TestServer.ALICE_PASSWORD);
            Run list = run(tmp, with(common, base), "curl");
            assertThat(list.exit()).as(list.output()).isZero();
            assertThat(list.output()).contains("\\Sent", "\"INBOX\"", "\"Trash\"");
            Run fetch = run(tmp, with(common, base + "INBOX;UID=2"), "curl");
            assertThat(fetch.exit()).as(fetch.output()).isZero();
            assertThat(fetch.output()).contains("Subject: curl me", "the curl body");
            Run search = run(tmp, with(common, base + "INBOX?SUBJECT%20curl"), "curl");
            assertThat(search.exit()).as(search.output()).isZero();
            assertThat(search.output()).contains("* SEARCH 2");
        }
    }

    private static List<String> with(List<String> a, String url) {
        List<String> out = new ArrayList<>(a);
        out.add(url);
        return out;
    }
}
