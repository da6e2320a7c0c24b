package moat.store.sqlite;

import static moat.store.sqlite.StoreFixture.addr;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import moat.core.Domain;
import moat.store.MailStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Draft.prepend (trace fields computed after the body) and delivery to a named mailbox (Junk). */
class DraftPrependTest {
    @TempDir
    Path dir;

    @Test
    void prependPutsFieldsOnTopAndWritingGoesOn() throws Exception {
        try (SqliteStore store = StoreFixture.open(dir)) {
            store.addDomain(Domain.of("example.org"));
            store.addUser(addr("alice@example.org"), "alice-password-1".toCharArray());
            MailStore.Draft d = store.begin();
            d.out().write("Subject: s\r\n\r\nfirst ".getBytes(StandardCharsets.US_ASCII));
            try (InputStream back = d.readBack()) {
                assertThat(new String(back.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("Subject: s\r\n\r\nfirst ");
            }
            d.prepend("X-Top: 1\r\n".getBytes(StandardCharsets.US_ASCII));
            d.out().write("second\r\n".getBytes(StandardCharsets.US_ASCII));
            d.out().close();
            assertThat(d.size()).isEqualTo("X-Top: 1\r\nSubject: s\r\n\r\nfirst second\r\n".length());
            store.commit(d, new MailStore.Delivery(Optional.empty(), List.of(addr("alice@example.org")), List.of(),
                    Instant.parse("2026-01-02T03:04:05Z"), "Junk"));
            assertThat(store.messages(addr("alice@example.org"), "INBOX")).isEmpty();
            List<MailStore.StoredMessage> junk = store.messages(addr("alice@example.org"), "Junk");
            assertThat(junk).singleElement().satisfies(m -> assertThat(m.size()).isEqualTo(d.size()));
            assertThat(StoreFixture.read(store, junk.getFirst())).isEqualTo("X-Top: 1\r\nSubject: s\r\n\r\nfirst second\r\n");
            try (var files = Files.walk(dir.resolve("messages"))) {
                assertThat(files.filter(Files::isRegularFile).map(Path::toString)).noneMatch(n -> n.endsWith(".pre"));
            }
        }
    }

    @Test
    void thePrefixLivesInTheIndexRowAndEveryReaderPutsItInFront() throws Exception {
        try (SqliteStore store = StoreFixture.open(dir)) {
            store.addDomain(Domain.of("example.org"));
            store.addUser(addr("alice@example.org"), "alice-password-1".toCharArray());
            MailStore.Draft d = store.begin();
            byte[] body = "Subject: s\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
            d.out().write(body);
            d.prepend("X-Second: 2\r\n".getBytes(StandardCharsets.US_ASCII));
            d.prepend("X-First: 1\r\n".getBytes(StandardCharsets.US_ASCII)); // the later prepend goes on top
            try (InputStream back = d.readBack()) {
                assertThat(new String(back.readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("X-First: 1\r\nX-Second: 2\r\nSubject: s\r\n\r\nbody\r\n");
            }
            d.out().close();
            String id = store.commit(d, new MailStore.Delivery(Optional.empty(), List.of(addr("alice@example.org")),
                    List.of(addr("bob@remote.example")), Instant.parse("2026-01-02T03:04:05Z")));
            String whole = "X-First: 1\r\nX-Second: 2\r\nSubject: s\r\n\r\nbody\r\n";
            // The body file holds exactly what streamed: no copy, no rename.
            try (var files = Files.walk(dir.resolve("messages"))) {
                assertThat(files.filter(Files::isRegularFile).toList()).singleElement()
                        .satisfies(f -> assertThat(Files.readAllBytes(f)).isEqualTo(body));
            }
            MailStore.StoredMessage m = store.messages(addr("alice@example.org"), "INBOX").getFirst();
            assertThat(m.size()).isEqualTo(whole.length());
            assertThat(StoreFixture.read(store, m)).isEqualTo(whole);
            long mailbox = store.mailboxes().list(addr("alice@example.org")).stream()
                    .filter(b -> b.name().equals("INBOX")).findFirst().orElseThrow().id();
            try (InputStream in = store.mailboxes().open(mailbox, m.uid())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(whole);
            }
            try (InputStream in = store.outboundQueue().openBody(id)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(whole);
            }
            assertThat(store.outboundQueue().bodySize(id)).isEqualTo(whole.length());
        }
    }
}
