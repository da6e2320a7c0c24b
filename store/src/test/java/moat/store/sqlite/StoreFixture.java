package moat.store.sqlite;

import java.io.IOException;
import java.nio.file.Path;
import moat.core.EmailAddress;
import moat.store.MailStore;
import moat.store.contract.StoreContract;
import moat.store.password.Argon2Params;

/** Shared helpers: cheap Argon2 parameters keep the directory tests fast; the mail helpers are the contract's. */
final class StoreFixture {
    static final StoreSettings SETTINGS = new StoreSettings(new Argon2Params(1024, 1, 1), 8, 256);

    private StoreFixture() {}

    static SqliteStore open(Path dir) throws IOException {
        return SqliteStore.open(dir, SETTINGS);
    }

    static EmailAddress addr(String s) {
        return StoreContract.addr(s);
    }

    static MailStore.Delivery local(EmailAddress... users) {
        return StoreContract.local(users);
    }

    /** Writes {@code body} to a new draft and commits it; returns the queue id. */
    static String deliver(MailStore store, String body, MailStore.Delivery delivery) throws IOException {
        return StoreContract.deliver(store, body, delivery);
    }

    static String read(MailStore store, MailStore.StoredMessage m) throws IOException {
        return StoreContract.read(store, m);
    }
}
