package moat.store.contract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.store.MailStore;
import org.junit.jupiter.api.AfterEach;

/**
 * The base of every contract class: the back-end hook and the helpers the tests share. Stores
 * and admin views opened here are closed after each test, whatever it left open.
 */
public abstract class StoreContract {
    private final List<AutoCloseable> opened = new ArrayList<>();
    private Backend backend;

    /** The implementation under test, on storage of this test's own (called once per test). */
    protected abstract Backend backend();

    private Backend theBackend() {
        if (backend == null) backend = backend();
        return backend;
    }

    protected OpenStore open() throws IOException {
        return open(Clock.systemUTC());
    }

    protected OpenStore open(Clock clock) throws IOException {
        OpenStore s = theBackend().open(clock);
        opened.add(s);
        return s;
    }

    protected AdminView openAdmin() throws IOException {
        AdminView a = theBackend().openAdmin();
        opened.add(a);
        return a;
    }

    @AfterEach
    protected void closeWhatIsOpen() throws Exception {
        // closing twice is harmless for a store; the test may have closed it already
        for (AutoCloseable c : opened.reversed()) c.close();
        opened.clear();
    }

    public static EmailAddress addr(String s) {
        return EmailAddress.of(s);
    }

    /** Mail from a remote sender to local users, received at a fixed time. */
    public static MailStore.Delivery local(EmailAddress... users) {
        return new MailStore.Delivery(Optional.of(addr("sender@remote.example")), List.of(users), List.of(),
                Instant.parse("2026-01-02T03:04:05Z"));
    }

    /** Writes {@code body} to a new draft and commits it; returns the queue id. */
    public static String deliver(MailStore store, String body, MailStore.Delivery delivery) throws IOException {
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

    public static String read(MailStore store, MailStore.StoredMessage m) throws IOException {
        try (InputStream in = store.open(m)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
