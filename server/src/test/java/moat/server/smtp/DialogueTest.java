package moat.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Runs every script in src/test/resources/dialogue against a real server on loopback. */
class DialogueTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> dialogues() throws Exception {
        Path dir = Path.of("src/test/resources/dialogue");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(15);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(DialogueScript.load(f))));
    }

    private void run(DialogueScript script) throws Exception {
        List<String> toml = new ArrayList<>();
        script.settings().forEach((k, v) -> toml.add(k + " = " + v));
        Path dir = Files.createTempDirectory(tmp, script.name());
        try (TestServer server = TestServer.start(dir, toml.toArray(String[]::new));
             SmtpClient c = new SmtpClient("127.0.0.1", server.port(TestServer.listeners().get(script.listener())))) {
            List<String> transcript = new ArrayList<>();
            for (DialogueScript.Step step : script.steps()) {
                switch (step) {
                    case DialogueScript.Step.Send s -> {
                        transcript.add("C: " + s.text().strip());
                        c.send(s.text());
                    }
                    case DialogueScript.Step.StartTls t -> {
                        transcript.add("-- TLS");
                        c.startTls();
                    }
                    case DialogueScript.Step.Expect e -> {
                        while (true) {
                            String line = c.readLine();
                            transcript.add("S: " + line);
                            assertThat(line).as("line %d of %s; transcript:%n%s", e.line(), script.name(),
                                    String.join("\n", transcript)).isNotNull();
                            if (e.pattern().matcher(line).matches()) break;
                            assertThat(e.skipUntil()).as("line %d of %s expected /%s/; transcript:%n%s", e.line(),
                                    script.name(), e.pattern(), String.join("\n", transcript)).isTrue();
                        }
                    }
                    case DialogueScript.Step.ExpectClosed x ->
                            assertThat(c.closedByServer()).as("server closes; transcript:%n%s", String.join("\n", transcript)).isTrue();
                }
            }
        }
    }
}
