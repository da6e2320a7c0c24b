package moat.store.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.MailStore;
import moat.store.MailStore.Delivery;
import moat.store.MailStore.QueuedMessage;
import moat.store.MailStore.StoredMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MailStore}: what "250" promises. A committed body reads back byte for byte, once per
 * local recipient with its own UID and in the outbound queue once per remote recipient; a
 * commit is all or nothing; everything survives a restart; expunge frees only bodies no row needs.
 */
public abstract class MailStoreContract extends StoreContract {
    protected static final EmailAddress ALICE = addr("alice@example.org");
    protected static final EmailAddress BOB = addr("bob@example.org");

    /** The store of the test, with example.org, Alice and Bob. */
    protected OpenStore store;

    @BeforeEach
    protected void openWithAliceAndBob() throws IOException {
        store = open();
        store.directory().addDomain(Domain.of("example.org"));
        store.directory().addUser(ALICE, "pw".toCharArray());
        store.directory().addUser(BOB, "pw".toCharArray());
    }

    /** A restart: the store closed cleanly and opened again on the same storage. */
    protected void reopen() throws IOException {
        store.close();
        store = open();
    }

    @Test
    public void readsBackACommittedBodyByteForByte() throws IOException {
        MailStore mail = store.mail();
        byte[] body = new byte[200_000]; // larger than a 64 KiB buffer, every byte value
        new Random(42).nextBytes(body);
        MailStore.Draft d = mail.begin();
        try (OutputStream out = d.out()) {
            out.write(body, 0, 1000);
            out.write(body[1000]);
            out.write(body, 1001, body.length - 1001);
        }
        assertThat(d.size()).isEqualTo(body.length);
        String id = mail.commit(d, local(ALICE));
        d.discard(); // a no-op after commit

        List<StoredMessage> inbox = mail.messages(ALICE, "INBOX");
        assertThat(inbox).hasSize(1);
        StoredMessage m = inbox.getFirst();
        assertThat(m.queueId()).isEqualTo(id);
        assertThat(m.uid()).isEqualTo(1);
        assertThat(m.size()).isEqualTo(body.length);
        assertThat(m.modseq()).isEqualTo(1);
        assertThat(m.uidValidity()).isPositive();
        assertThat(m.internalDate()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(m.flags()).isEmpty();
        try (var in = mail.open(m)) {
            assertThat(in.readAllBytes()).isEqualTo(body);
        }
    }

    @Test
    public void storesOneBodyForSeveralMailboxesWithTheirOwnUids() throws IOException {
        MailStore mail = store.mail();
        deliver(mail, "first", local(ALICE));
        String id = deliver(mail, "second", local(ALICE, BOB, addr("Bob@example.org")));
        deliver(mail, "third", local(ALICE));

        assertThat(mail.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(1L, 2L, 3L);
        assertThat(mail.messages(ALICE, "INBOX")).extracting(StoredMessage::modseq).containsExactly(1L, 2L, 3L);
        List<StoredMessage> bob = mail.messages(BOB, "INBOX");
        assertThat(bob).hasSize(1); // Bob named twice, delivered once
        assertThat(bob.getFirst().uid()).isEqualTo(1);
        assertThat(bob.getFirst().queueId()).isEqualTo(id);
        assertThat(read(mail, bob.getFirst())).isEqualTo("second");
        assertThat(read(mail, mail.messages(ALICE, "INBOX").get(1))).isEqualTo("second");
        assertThat(store.bodies()).isEqualTo(3);
        assertThat(mail.messages(ALICE, "Sent")).isEmpty();
    }

    @Test
    public void queuesRemoteRecipients() throws IOException {
        MailStore mail = store.mail();
        Delivery mixed = new Delivery(Optional.of(ALICE), List.of(BOB),
                List.of(addr("carol@remote.example"), addr("dave@other.example"), addr("carol@remote.example")),
                Instant.parse("2026-01-02T03:04:05Z"));
        String id = deliver(mail, "hello", mixed);
        Delivery bounce = new Delivery(Optional.empty(), List.of(), List.of(addr("erin@remote.example")),
                Instant.parse("2026-01-02T03:04:06Z"));
        String id2 = deliver(mail, "bounce", bounce);

        assertThat(mail.outbound()).containsExactly(
                new QueuedMessage(id, Optional.of(ALICE), addr("carol@remote.example"), Instant.parse("2026-01-02T03:04:05Z")),
                new QueuedMessage(id, Optional.of(ALICE), addr("dave@other.example"), Instant.parse("2026-01-02T03:04:05Z")),
                new QueuedMessage(id2, Optional.empty(), addr("erin@remote.example"), Instant.parse("2026-01-02T03:04:06Z")));
        assertThat(mail.messages(BOB, "INBOX")).hasSize(1);
    }

    @Test
    public void discardDeletesTheBodyAndIsIdempotent() throws IOException {
        MailStore.Draft d = store.mail().begin();
        d.out().write("partial".getBytes());
        assertThat(store.bodies()).isEqualTo(1);
        d.discard();
        d.discard();
        assertThat(store.bodies()).isZero();
        assertThatThrownBy(() -> store.mail().commit(d, local(ALICE))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    public void failsACommitWhoseRecipientVanishedWithoutHarmingOthers() throws IOException {
        MailStore mail = store.mail();
        store.directory().removeUser(BOB);
        MailStore.Draft d = mail.begin();
        d.out().write("to nobody".getBytes());
        d.out().close();
        assertThatThrownBy(() -> mail.commit(d, local(ALICE, BOB))).isInstanceOf(IOException.class)
                .hasMessageContaining("bob@example.org");
        d.discard();
        assertThat(mail.messages(ALICE, "INBOX")).isEmpty(); // all or nothing for that message
        assertThat(store.bodies()).isZero();
        deliver(mail, "still fine", local(ALICE));
        assertThat(mail.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(1L);
    }

    @Test
    public void keepsEverythingAcrossReopen() throws IOException {
        store.directory().addAlias(addr("info@example.org"), List.of(ALICE));
        deliver(store.mail(), "one", local(ALICE));
        deliver(store.mail(), "two", new Delivery(Optional.of(ALICE), List.of(ALICE), List.of(addr("x@remote.example")),
                Instant.now()));
        reopen();

        assertThat(store.directory().users()).containsExactly(ALICE, BOB);
        assertThat(store.directory().authenticate("alice@example.org", "pw".toCharArray())).contains(ALICE);
        assertThat(store.directory().owns(ALICE, addr("info@example.org"))).isTrue();
        assertThat(store.mail().outbound()).hasSize(1);
        List<StoredMessage> inbox = store.mail().messages(ALICE, "INBOX");
        MailStore mail = store.mail();
        assertThat(inbox).extracting(m -> read(mail, m)).containsExactly("one", "two");
        deliver(mail, "three", local(ALICE));
        assertThat(mail.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(1L, 2L, 3L);
    }

    @Test
    public void refusesCommitsAfterClose() throws IOException {
        MailStore.Draft d = store.mail().begin();
        d.out().close();
        store.close();
        assertThatThrownBy(() -> store.mail().commit(d, local(ALICE))).isInstanceOf(IOException.class);
        d.discard();
        store = open();
        assertThat(store.bodies()).isZero();
    }

    @Test
    public void expungeRemovesRowsBumpsModseqAndFreesOnlyUnreferencedBodies() throws IOException {
        MailStore mail = store.mail();
        deliver(mail, "only alice", local(ALICE));
        deliver(mail, "shared", local(ALICE, BOB));
        deliver(mail, "queued too", new Delivery(Optional.of(ALICE), List.of(ALICE),
                List.of(addr("carol@remote.example")), Instant.parse("2026-01-02T03:04:05Z")));
        deliver(mail, "kept", local(ALICE));
        assertThat(store.bodies()).isEqualTo(4);
        long modseqBefore = highestModseq(ALICE);

        mail.expunge(ALICE, "INBOX", List.of(1L, 2L, 3L, 99L));

        assertThat(mail.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(4L);
        assertThat(highestModseq(ALICE)).isEqualTo(modseqBefore + 1);
        // "only alice" is gone; "shared" is still Bob's; "queued too" still waits in the queue.
        assertThat(store.bodies()).isEqualTo(3);
        assertThat(read(mail, mail.messages(BOB, "INBOX").getFirst())).isEqualTo("shared");
        assertThat(mail.outbound()).hasSize(1);

        mail.expunge(BOB, "INBOX", List.of(1L));
        assertThat(store.bodies()).isEqualTo(2);
        mail.expunge(ALICE, "INBOX", List.of());
        mail.expunge(ALICE, "INBOX", List.of(1L)); // already gone: nothing happens
        assertThat(highestModseq(ALICE)).isEqualTo(modseqBefore + 1);
        // New mail after an expunge never reuses a UID (IMAP and POP3 UIDL rely on it).
        deliver(mail, "new", local(ALICE));
        assertThat(mail.messages(ALICE, "INBOX")).extracting(StoredMessage::uid).containsExactly(4L, 5L);
        reopen();
        assertThat(store.bodies()).isEqualTo(3);
    }

    private long highestModseq(EmailAddress user) {
        return store.mailboxes().find(user, "INBOX").orElseThrow().highestModseq();
    }
}
