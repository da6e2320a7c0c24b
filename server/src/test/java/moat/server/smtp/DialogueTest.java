package moat.server.smtp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import moat.server.testing.Dialogue;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every script in src/test/resources/dialogue against a real server on loopback (format:
 * {@link Dialogue}; {@code @listener mx|submission|submissions}, default mx).
 */
class DialogueTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> dialogues() throws Exception {
        return Dialogue.tests("src/test/resources/dialogue", 15, Set.of(), "mx", script -> () -> run(script));
    }

    private void run(Dialogue script) throws Exception {
        Path dir = Files.createTempDirectory(tmp, script.name());
        try (TestServer server = TestServer.start(dir, script.settings().toArray(String[]::new));
             SmtpClient c = new SmtpClient("127.0.0.1", server.port(TestServer.listeners().get(script.listener())))) {
            script.play(c, (step, transcript) -> {
                throw new IllegalStateException("no custom steps in SMTP dialogues: " + step);
            });
        }
    }
}
