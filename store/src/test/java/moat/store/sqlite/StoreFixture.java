package moat.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.store.MailStore;
import moat.store.password.Argon2Params;

/** Shared helpers: cheap Argon2 parameters keep the directory tests fast. */
final class StoreFixture {
    static final StoreSettings SETTINGS = new StoreSettings(new Argon2Params(1024, 1, 1), 8, 256);

    private StoreFixture() {}

    static SqliteStore open(Path dir) throws IOException {
        return SqliteStore.open(dir, SETTINGS);
    }

    static EmailAddress addr(String s) {
        return EmailAddress.of(s);
    }

    static MailStore.Delivery local(EmailAddress... users) {
        return new MailStore.Delivery(Optional.of(addr("sender@remote.example")), List.of(users), List.of(),
                Instant.parse("2026-01-02T03:04:05Z"));
    }

    /** Writes {@code body} to a new draft and commits it; returns the queue id. */
    static String deliver(MailStore store, String body, MailStore.Delivery delivery) throws IOException {
        MailStore.Draft d = store.begin();
        try {
            d.out().write(body.getBytes(StandardCharsets.UTF_8));
            d.out().close();
            return store.commit(d, delivery);
        } catch (IOException | RuntimeException e) {
            d.discard();
            throw e;
        }
    }

    static String read(MailStore store, MailStore.StoredMessage m) throws IOException {
        try (InputStream in = store.open(m)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
