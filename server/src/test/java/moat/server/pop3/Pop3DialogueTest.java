package moat.server.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import moat.core.EmailAddress;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Runs every script in src/test/resources/dialogue-pop3 against a real server on loopback. */
class Pop3DialogueTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> dialogues() throws Exception {
        Path dir = Path.of("src/test/resources/dialogue-pop3");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(10);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
                () -> run(Pop3DialogueScript.load(f))));
    }

    private void run(Pop3DialogueScript script) throws Exception {
        List<String> toml = new ArrayList<>();
        script.settings().forEach((k, v) -> toml.add(k + " = " + v));
        Path dir = Files.createTempDirectory(tmp, script.name());
        boolean implicit = switch (script.listener()) {
            case "pop3" -> false;
            case "pop3s" -> true;
            default -> throw new IllegalArgumentException("unknown listener " + script.listener());
        };
        try (TestServer server = TestServer.start(dir, toml.toArray(String[]::new))) {
            for (var seed : script.seeds()) Pop3Fixture.deliver(server.store(), seed.user(), seed.subject());
            try (SmtpClient c = new SmtpClient("127.0.0.1", server.pop3Port(implicit))) {
                if (implicit) c.startTls();
                List<String> transcript = new ArrayList<>();
                for (Pop3DialogueScript.Step step : script.steps()) {
                    switch (step) {
                        case Pop3DialogueScript.Step.Send s -> {
                            transcript.add("C: " + s.shown().strip());
                            c.sendBytes(s.bytes());
                        }
                        case Pop3DialogueScript.Step.StartTls t -> {
                            transcript.add("-- TLS");
                            c.startTls();
                        }
                        case Pop3DialogueScript.Step.Expect e -> {
                            while (true) {
                                String line;
                                try {
                                    line = c.readLine();
                                } catch (java.io.IOException io) {
                                    throw new AssertionError("line " + e.line() + " of " + script.name() + ": " + io
                                            + "; transcript:\n" + String.join("\n", transcript), io);
                                }
                                transcript.add("S: " + line);
                                assertThat(line).as("line %d of %s; transcript:%n%s", e.line(), script.name(),
                                        String.join("\n", transcript)).isNotNull();
                                if (e.pattern().matcher(line).matches()) break;
                                assertThat(e.skipUntil()).as("line %d of %s expected /%s/; transcript:%n%s", e.line(),
                                        script.name(), e.pattern(), String.join("\n", transcript)).isTrue();
                            }
                        }
                        case Pop3DialogueScript.Step.ExpectClosed x -> assertThat(c.closedByServer())
                                .as("server closes; transcript:%n%s", String.join("\n", transcript)).isTrue();
                        case Pop3DialogueScript.Step.Inbox i -> assertThat(
                                server.store().messages(EmailAddress.of(i.user()), "INBOX"))
                                .as("INBOX at line %d of %s; transcript:%n%s", i.line(), script.name(),
                                        String.join("\n", transcript)).hasSize(i.count());
                    }
                }
            }
        }
    }
}
