package moat.server.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import moat.core.EmailAddress;
import moat.server.testing.Dialogue;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every script in src/test/resources/dialogue-pop3 against a real server on loopback (format:
 * {@link Dialogue}). POP3 additions: {@code @listener pop3|pop3s} (pop3s does the TLS handshake
 * first), {@code @message user subject} puts a message in the user's INBOX before connecting,
 * {@code INBOX user n} checks that the user's INBOX holds n messages now.
 */
class Pop3DialogueTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> dialogues() throws Exception {
        return Dialogue.tests("src/test/resources/dialogue-pop3", 10, Set.of("@message", "INBOX"), "pop3",
                script -> () -> run(script));
    }

    private void run(Dialogue script) throws Exception {
        Path dir = Files.createTempDirectory(tmp, script.name());
        boolean implicit = switch (script.listener()) {
            case "pop3" -> false;
            case "pop3s" -> true;
            default -> throw new IllegalArgumentException("unknown listener " + script.listener());
        };
        try (TestServer server = TestServer.start(dir, script.settings().toArray(String[]::new))) {
            for (var seed : script.directives()) {
                String[] kv = seed.args().split("\\s+", 2);
                Pop3Fixture.deliver(server.store(), kv[0], kv.length > 1 ? kv[1] : "test");
            }
            try (SmtpClient c = new SmtpClient("127.0.0.1", server.pop3Port(implicit))) {
                if (implicit) c.startTls();
                script.play(c, (step, transcript) -> {
                    String[] kv = step.args().split("\\s+");
                    assertThat(server.store().messages(EmailAddress.of(kv[0]), "INBOX"))
                            .as("INBOX at line %d of %s; transcript:%n%s", step.line(), script.name(), transcript)
                            .hasSize(Integer.parseInt(kv[1]));
                });
            }
        }
    }
}
