package moat.store.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import moat.store.Directory;
import moat.store.GreylistState;
import moat.store.MailStore;
import moat.store.Mailboxes;
import moat.store.OutboundQueue;
import moat.store.UserLists;
import moat.store.contract.AdminView;
import moat.store.contract.Backend;
import moat.store.contract.OpenStore;

/**
 * The SQLite store under the store contract, on one data directory: a body is a file under
 * {@code messages/}, the admin view is {@link AdminDirectory} plus {@link SqliteOutboundQueue#openAdmin}.
 */
record SqliteBackend(Path dir) implements Backend {

    @Override
    public OpenStore open(Clock clock) throws IOException {
        SqliteStore store = SqliteStore.open(dir, StoreFixture.SETTINGS, clock);
        return new OpenStore() {
            @Override public Directory directory() { return store; }
            @Override public MailStore mail() { return store; }
            @Override public Mailboxes mailboxes() { return store.mailboxes(); }
            @Override public OutboundQueue queue() { return store.outboundQueue(); }
            @Override public UserLists userLists() { return store; }
            @Override public GreylistState greylist() { return store.greylist(); }
            @Override public long bodies() throws IOException { return bodyFiles(); }
            @Override public boolean hasBody(String bodyId) { return Files.exists(bodyFile(bodyId)); }
            @Override public void close() { store.close(); }
        };
    }

    @Override
    public AdminView openAdmin() throws IOException {
        AdminDirectory directory = AdminDirectory.open(dir, StoreFixture.SETTINGS);
        return new AdminView() {
            private SqliteOutboundQueue queue;

            @Override public Directory directory() { return directory; }
            @Override public UserLists userLists() { return directory; }

            @Override
            public OutboundQueue queue() {
                try {
                    if (queue == null) queue = SqliteOutboundQueue.openAdmin(dir);
                    return queue;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public void close() {
                if (queue != null) queue.close();
                directory.close();
            }
        };
    }

    Path bodyFile(String bodyId) {
        return dir.resolve("messages").resolve(DataDir.relativePath(bodyId));
    }

    /** Body files, drafts included: every regular file under {@code messages/}. */
    long bodyFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("messages"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
