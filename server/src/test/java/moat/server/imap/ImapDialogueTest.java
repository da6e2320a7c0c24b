package moat.server.imap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Stream;
import moat.core.EmailAddress;
import moat.server.testing.Dialogue;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import moat.store.Mailboxes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every script in src/test/resources/dialogue-imap against a real server on loopback (format:
 * {@link Dialogue}). IMAP additions: {@code @listener imap|imaps} (default imap = STARTTLS port),
 * {@code @mail text} appends a message (RAW escapes) to alice's INBOX before the dialogue.
 */
class ImapDialogueTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> imapDialogues() throws Exception {
        return Dialogue.tests("src/test/resources/dialogue-imap", 12, Set.of("@mail"), "imap",
                script -> () -> run(script));
    }

    private void run(Dialogue script) throws Exception {
        Path dir = Files.createTempDirectory(tmp, script.name());
        boolean implicit = switch (script.listener()) {
            case "imap" -> false;
            case "imaps" -> true;
            default -> throw new IllegalArgumentException("unknown listener " + script.listener());
        };
        try (TestServer server = TestServer.start(dir, script.settings().toArray(String[]::new))) {
            Mailboxes mb = server.store().mailboxes();
            long inbox = mb.find(EmailAddress.of("alice@example.org"), "INBOX").orElseThrow().id();
            for (var m : script.directives())
                mb.append(inbox, Dialogue.unescape(m.args()), Set.of(), Instant.parse("2026-01-02T03:04:05Z"));
            try (SmtpClient c = new SmtpClient("127.0.0.1", server.imapPort(implicit))) {
                script.play(c, (step, transcript) -> {
                    throw new IllegalStateException("no custom steps in IMAP dialogues: " + step);
                });
            }
        }
    }
}
