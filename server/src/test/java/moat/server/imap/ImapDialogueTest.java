package moat.server.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import moat.core.EmailAddress;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import moat.store.Mailboxes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every script in src/test/resources/dialogue-imap against a real server on loopback.
 * <pre>
 * # comment
 * &#64;listener imap|imaps        which port (default imap = STARTTLS port)
 * &#64;set imap.max_line 2048     a setting for this script's server
 * &#64;mail text                  before the dialogue, append a message (\r \n escapes) to alice's INBOX
 * C: text                       send text + CRLF ({@code ${b64:text}} = base64, \0 = NUL)
 * RAW: text                     send text as is (\r \n \\ \0 escapes)
 * S: regex                      the next line must match (whole line)
 * S~ regex                      skip lines until one matches
 * TLS                           client side of the TLS handshake now
 * CLOSED                        the server must have closed the connection
 * </pre>
 */
class ImapDialogueTest {
    @TempDir
    Path tmp;

    sealed interface Step {
        record Send(String text) implements Step {}

        record Expect(Pattern pattern, boolean skip, int line) implements Step {}

        record Tls() implements Step {}

        record Closed() implements Step {}
    }

    record Script(String name, boolean implicitTls, List<String> settings, List<String> mail, List<Step> steps) {}

    private static final Pattern B64 = Pattern.compile("\\$\\{b64:([^}]*)}");

    @TestFactory
    Stream<DynamicTest> imapDialogues() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/dialogue-imap"))) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(12);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(load(f))));
    }

    static Script load(Path file) throws Exception {
        boolean implicit = false;
        List<String> settings = new ArrayList<>();
        List<String> mail = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) continue;
            if (line.startsWith("@listener ")) implicit = line.substring(10).strip().equals("imaps");
            else if (line.startsWith("@set ")) {
                String[] kv = line.substring(5).strip().split("\\s+", 2);
                settings.add(kv[0] + " = " + kv[1]);
            } else if (line.startsWith("@mail ")) mail.add(unescape(line.substring(6)));
            else if (line.startsWith("C: ")) steps.add(new Step.Send(expand(line.substring(3)) + "\r\n"));
            else if (line.startsWith("RAW: ")) steps.add(new Step.Send(unescape(expand(line.substring(5)))));
            else if (line.startsWith("S: ")) steps.add(new Step.Expect(Pattern.compile(line.substring(3)), false, n));
            else if (line.startsWith("S~ ")) steps.add(new Step.Expect(Pattern.compile(line.substring(3)), true, n));
            else if (line.strip().equals("TLS")) steps.add(new Step.Tls());
            else if (line.strip().equals("CLOSED")) steps.add(new Step.Closed());
            else throw new IllegalArgumentException(file + ":" + n + ": unknown step: " + line);
        }
        return new Script(file.getFileName().toString().replace(".txt", ""), implicit, settings, mail, steps);
    }

    private void run(Script script) throws Exception {
        Path dir = Files.createTempDirectory(tmp, script.name());
        try (TestServer server = TestServer.start(dir, script.settings().toArray(String[]::new))) {
            Mailboxes mb = server.store().mailboxes();
            EmailAddress alice = EmailAddress.of("alice@example.org");
            long inbox = mb.find(alice, "INBOX").orElseThrow().id();
            for (String m : script.mail())
                mb.append(inbox, m.getBytes(StandardCharsets.UTF_8), Set.of(), Instant.parse("2026-01-02T03:04:05Z"));
            try (SmtpClient c = new SmtpClient("127.0.0.1", server.imapPort(script.implicitTls()))) {
                List<String> transcript = new ArrayList<>();
                for (Step step : script.steps()) {
                    switch (step) {
                        case Step.Send s -> {
                            transcript.add("C: " + s.text().strip());
                            c.send(s.text());
                        }
                        case Step.Tls t -> {
                            transcript.add("-- TLS");
                            c.startTls();
                        }
                        case Step.Expect e -> {
                            while (true) {
                                String line = c.readLine();
                                transcript.add("S: " + line);
                                assertThat(line).as("line %d of %s; transcript:%n%s", e.line(), script.name(),
                                        String.join("\n", transcript)).isNotNull();
                                if (e.pattern().matcher(line).matches()) break;
                                assertThat(e.skip()).as("line %d of %s expected /%s/; transcript:%n%s", e.line(),
                                        script.name(), e.pattern(), String.join("\n", transcript)).isTrue();
                            }
                        }
                        case Step.Closed x -> assertThat(c.closedByServer())
                                .as("server closes; transcript:%n%s", String.join("\n", transcript)).isTrue();
                    }
                }
            }
        }
    }

    private static String expand(String s) {
        Matcher m = B64.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String raw = m.group(1).replace("\\0", "\0");
            m.appendReplacement(sb, Matcher.quoteReplacement(
                    Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                if (e == 'x' && i + 2 < s.length()) {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                    continue;
                }
                sb.append(switch (e) {
                    case 'r' -> '\r';
                    case 'n' -> '\n';
                    case '0' -> '\0';
                    default -> e;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
