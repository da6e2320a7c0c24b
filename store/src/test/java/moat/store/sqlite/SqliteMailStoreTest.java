package moat.store.sqlite;

import static moat.store.sqlite.StoreFixture.addr;
import static moat.store.sqlite.StoreFixture.deliver;
import static moat.store.sqlite.StoreFixture.local;
import static moat.store.sqlite.StoreFixture.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.MailStore;
import moat.store.MailStore.Delivery;
import moat.store.MailStore.QueuedMessage;
import moat.store.MailStore.StoredMessage;
import moat.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteMailStoreTest {
    static final EmailAddress ALICE = addr("alice@example.org");
    static final EmailAddress BOB = addr("bob@example.org");

    @TempDir
    Path dir;
    SqliteStore store;

    @BeforeEach
    void open() throws IOException {
        store = StoreFixture.open(dir);
        store.addDomain(Domain.of("example.org"));
        store.addUser(ALICE, "pw".toCharArray());
        store.addUser(BOB, "pw".toCharArray());
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void createsTheDataDirectoryLayout() {
        assertThat(dir.resolve("index.db")).isRegularFile();
        assertThat(dir.resolve("messages/00")).isDirectory();
        assertThat(dir.resolve("messages/ff")).isDirectory();
        try (Stream<Path> buckets = Files.list(dir.resolve("messages"))) {
            assertThat(buckets.count()).isEqualTo(256);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void readsBackACommittedBodyByteForByte() throws IOException {
        byte[] body = new byte[200_000]; // larger than the 64 KiB buffer, every byte value
        new Random(42).nextBytes(body);
        MailStore.Draft d = store.begin();
        try (OutputStream out = d.out()) {
            out.write(body, 0, 1000);
            out.write(body[1000]);
            out.write(body, 1001, body.length - 1001);
        }
        assertThat(d.size()).isEqualTo(body.length);
        String id = store.commit(d, local(ALICE));
        d.discard(); // a no-op after commit

        List<StoredMessage> inbox = store.messages(ALICE, "INBOX");
        assertThat(inbox).hasSize(1);
        StoredMessage m = inbox.getFirst();
        assertThat(m.queueId()).isEqualTo(id);
        assertThat(m.uid()).isEqualTo(1);
        assertThat(m.size()).isEqualTo(body.length);
        assertThat(m.modseq()).isEqualTo(1);
        assertThat(m.uidValidity()).isPositive();
        assertThat(m.internalDate()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(m.flags()).isEmpty();
        try (var in = store.open(m)) {
            assertThat(in.readAllBytes()).isEqualTo(body);
        }
    }

    @Test
    void storesOneBodyForSeveralMailboxesWithTheirOwnUids() throws IOException {
        deliver(store, "first", local(ALICE));
        String id = deliver(store, "second", local(ALICE, BOB, addr("Bob@example.org")));
        deliver(store, "third", local(ALICE));

        assertThat(store.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(1L, 2L, 3L);
        assertThat(store.messages(ALICE, "INBOX")).extracting(StoredMessage::modseq).containsExactly(1L, 2L, 3L);
        List<StoredMessage> bob = store.messages(BOB, "INBOX");
        assertThat(bob).hasSize(1); // Bob named twice, delivered once
        assertThat(bob.getFirst().uid()).isEqualTo(1);
        assertThat(bob.getFirst().queueId()).isEqualTo(id);
        assertThat(read(store, bob.getFirst())).isEqualTo("second");
        assertThat(read(store, store.messages(ALICE, "INBOX").get(1))).isEqualTo("second");
        assertThat(bodyFiles()).hasSize(3);
        assertThat(store.messages(ALICE, "Sent")).isEmpty();
    }

    @Test
    void queuesRemoteRecipients() throws IOException {
        Delivery mixed = new Delivery(Optional.of(ALICE), List.of(BOB),
                List.of(addr("carol@remote.example"), addr("dave@other.example"), addr("carol@remote.example")),
                Instant.parse("2026-01-02T03:04:05Z"));
        String id = deliver(store, "hello", mixed);
        Delivery bounce = new Delivery(Optional.empty(), List.of(), List.of(addr("erin@remote.example")),
                Instant.parse("2026-01-02T03:04:06Z"));
        String id2 = deliver(store, "bounce", bounce);

        assertThat(store.outbound()).containsExactly(
                new QueuedMessage(id, Optional.of(ALICE), addr("carol@remote.example"), Instant.parse("2026-01-02T03:04:05Z")),
                new QueuedMessage(id, Optional.of(ALICE), addr("dave@other.example"), Instant.parse("2026-01-02T03:04:05Z")),
                new QueuedMessage(id2, Optional.empty(), addr("erin@remote.example"), Instant.parse("2026-01-02T03:04:06Z")));
        assertThat(store.messages(BOB, "INBOX")).hasSize(1);
    }

    @Test
    void discardDeletesTheFileAndIsIdempotent() throws IOException {
        MailStore.Draft d = store.begin();
        d.out().write("partial".getBytes());
        assertThat(bodyFiles()).hasSize(1);
        d.discard();
        d.discard();
        assertThat(bodyFiles()).isEmpty();
        assertThatThrownBy(() -> store.commit(d, local(ALICE))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void failsACommitWhoseRecipientVanishedWithoutHarmingOthers() throws IOException {
        store.removeUser(BOB);
        MailStore.Draft d = store.begin();
        d.out().write("to nobody".getBytes());
        d.out().close();
        assertThatThrownBy(() -> store.commit(d, local(ALICE, BOB))).isInstanceOf(IOException.class)
                .hasMessageContaining("bob@example.org");
        d.discard();
        assertThat(store.messages(ALICE, "INBOX")).isEmpty(); // all or nothing for that message
        assertThat(bodyFiles()).isEmpty();
        deliver(store, "still fine", local(ALICE));
        assertThat(store.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(1L);
    }

    @Test
    void refusesDraftsOfAnotherStore(@TempDir Path other) throws IOException {
        try (SqliteStore second = StoreFixture.open(other)) {
            MailStore.Draft d = second.begin();
            assertThatThrownBy(() -> store.commit(d, local(ALICE))).isInstanceOf(IllegalArgumentException.class);
            d.discard();
        }
    }

    @Test
    void refusesASecondStoreOnTheSameDirectory() {
        assertThatThrownBy(() -> StoreFixture.open(dir)).isInstanceOf(StoreException.class).hasMessageContaining("in use");
    }

    @Test
    void recoveryDeletesOrphansAndKeepsCommittedBodies() throws IOException {
        deliver(store, "kept", local(ALICE));
        MailStore.Draft crashed = store.begin(); // never committed: a crash before "250"
        crashed.out().write("lost".getBytes());
        crashed.out().close();
        store.close();
        Path stray = dir.resolve("messages/7f/strayfile");
        Files.writeString(stray, "junk");
        assertThat(bodyFiles()).hasSize(3);

        store = StoreFixture.open(dir);
        assertThat(bodyFiles()).hasSize(1);
        assertThat(stray).doesNotExist();
        assertThat(read(store, store.messages(ALICE, "INBOX").getFirst())).isEqualTo("kept");
    }

    @Test
    void keepsEverythingAcrossReopen() throws IOException {
        store.addAlias(addr("info@example.org"), List.of(ALICE));
        deliver(store, "one", local(ALICE));
        deliver(store, "two", new Delivery(Optional.of(ALICE), List.of(ALICE), List.of(addr("x@remote.example")),
                Instant.now()));
        store.close();

        store = StoreFixture.open(dir);
        assertThat(store.users()).containsExactly(ALICE, BOB);
        assertThat(store.authenticate("alice@example.org", "pw".toCharArray())).contains(ALICE);
        assertThat(store.owns(ALICE, addr("info@example.org"))).isTrue();
        assertThat(store.outbound()).hasSize(1);
        List<StoredMessage> inbox = store.messages(ALICE, "INBOX");
        assertThat(inbox).extracting(m -> read(store, m)).containsExactly("one", "two");
        deliver(store, "three", local(ALICE));
        assertThat(store.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(1L, 2L, 3L);
    }

    @Test
    void refusesCommitsAfterClose() throws IOException {
        MailStore.Draft d = store.begin();
        d.out().close();
        store.close();
        assertThatThrownBy(() -> store.commit(d, local(ALICE))).isInstanceOf(IOException.class);
        d.discard();
        store = StoreFixture.open(dir);
        assertThat(bodyFiles()).isEmpty();
    }

    @Test
    void givesEachNewUserTheSpecialUseMailboxes() throws IOException {
        assertThat(store.messages(ALICE, "Junk")).isEmpty();
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
             var rs = c.createStatement().executeQuery("SELECT m.name, coalesce(m.special_use, '') FROM mailboxes m"
                     + " JOIN users u ON u.id = m.user_id WHERE u.address_key = 'alice@example.org' ORDER BY m.id")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) sb.append(rs.getString(1)).append('=').append(rs.getString(2)).append(' ');
            assertThat(sb.toString().trim()).isEqualTo(
                    "INBOX= Sent=\\Sent Drafts=\\Drafts Junk=\\Junk Trash=\\Trash Archive=\\Archive");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void expungeRemovesRowsBumpsModseqAndFreesOnlyUnreferencedBodies() throws IOException {
        deliver(store, "only alice", local(ALICE));
        deliver(store, "shared", local(ALICE, BOB));
        deliver(store, "queued too", new Delivery(Optional.of(ALICE), List.of(ALICE),
                List.of(addr("carol@remote.example")), Instant.parse("2026-01-02T03:04:05Z")));
        deliver(store, "kept", local(ALICE));
        assertThat(bodyFiles()).hasSize(4);
        long modseqBefore = highestModseq(ALICE);

        store.expunge(ALICE, "INBOX", List.of(1L, 2L, 3L, 99L));

        assertThat(store.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(4L);
        assertThat(highestModseq(ALICE)).isEqualTo(modseqBefore + 1);
        // "only alice" is gone; "shared" is still Bob's; "queued too" still waits in the queue.
        assertThat(bodyFiles()).hasSize(3);
        assertThat(read(store, store.messages(BOB, "INBOX").getFirst())).isEqualTo("shared");
        assertThat(store.outbound()).hasSize(1);

        store.expunge(BOB, "INBOX", List.of(1L));
        assertThat(bodyFiles()).hasSize(2);
        store.expunge(ALICE, "INBOX", List.of());
        store.expunge(ALICE, "INBOX", List.of(1L)); // already gone: nothing happens
        assertThat(highestModseq(ALICE)).isEqualTo(modseqBefore + 1);
        // New mail after an expunge never reuses a UID (IMAP and POP3 UIDL rely on it).
        deliver(store, "new", local(ALICE));
        assertThat(store.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(4L, 5L);
        store.close();
        store = StoreFixture.open(dir);
        assertThat(bodyFiles()).hasSize(3);
    }

    long highestModseq(EmailAddress user) {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
             var ps = c.prepareStatement("SELECT m.highestmodseq FROM mailboxes m JOIN users u ON u.id = m.user_id"
                     + " WHERE u.address_key = ? AND m.name = 'INBOX'")) {
            ps.setString(1, user.key());
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    List<Path> bodyFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("messages"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
