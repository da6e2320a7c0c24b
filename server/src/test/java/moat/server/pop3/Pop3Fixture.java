package moat.server.pop3;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.store.MailStore;

/** Puts test messages straight into the store (CRLF lines, one starting with a dot). */
final class Pop3Fixture {
    private Pop3Fixture() {}

    static String message(String subject) {
        return "From: sender@remote.example\r\nTo: alice@example.org\r\nSubject: " + subject + "\r\n"
                + "Message-ID: <" + subject.replace(' ', '-') + "@remote.example>\r\n\r\n"
                + "First line of " + subject + "\r\n.a line starting with a dot\r\n.\r\nlast line\r\n";
    }

    static void deliver(MailStore store, String user, String subject) throws IOException {
        MailStore.Draft d = store.begin();
        try (OutputStream out = d.out()) {
            out.write(message(subject).getBytes(StandardCharsets.UTF_8));
        }
        store.commit(d, new MailStore.Delivery(Optional.of(EmailAddress.of("sender@remote.example")),
                List.of(EmailAddress.of(user)), List.of(), Instant.now()));
    }
}
