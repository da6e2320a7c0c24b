package moat.store.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.MailStore;
import moat.store.OutboundQueue;
import moat.store.OutboundQueue.Entry;
import org.junit.jupiter.api.Test;

/**
 * {@link OutboundQueue}: claims that no two runners share, leases that expire, deferral, removal
 * that frees the body with the last row needing it, recovery after a crash, and the admin
 * commands beside a running store.
 */
public abstract class OutboundQueueContract extends StoreContract {
    static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");
    static final Duration LEASE = Duration.ofMinutes(30);

    private static MailStore.Delivery remote(Optional<EmailAddress> auth, String... rcpts) {
        return new MailStore.Delivery(Optional.of(addr("alice@example.org")), List.of(),
                java.util.Arrays.stream(rcpts).map(EmailAddress::of).toList(), T0, auth);
    }

    @Test
    public void claimsDueRowsOnceAndRecordsTheSubmitter() throws Exception {
        try (OpenStore store = open()) {
            OutboundQueue q = store.queue();
            String id = deliver(store.mail(), "Subject: x\r\n\r\nhi\r\n",
                    remote(Optional.of(addr("alice@example.org")), "a@remote.example", "b@remote.example"));
            List<Entry> first = q.claim(T0, LEASE, 10);
            assertThat(first).hasSize(2).allSatisfy(e -> {
                assertThat(e.queueId()).isEqualTo(id);
                assertThat(e.state()).isEqualTo(OutboundQueue.State.SENDING);
                assertThat(e.authUser()).contains(addr("alice@example.org"));
                assertThat(e.leaseUntil()).isEqualTo(T0.plus(LEASE));
            });
            assertThat(q.claim(T0, LEASE, 10)).as("claimed rows are not claimed again").isEmpty();
            assertThat(q.claim(T0.plus(LEASE), LEASE, 10)).as("an expired lease is claimable").hasSize(2);
        }
    }

    @Test
    public void twoClaimersNeverGetTheSameRow() throws Exception {
        try (OpenStore store = open()) {
            OutboundQueue q = store.queue();
            for (int i = 0; i < 20; i++) deliver(store.mail(), "m" + i + "\r\n", remote(Optional.empty(),
                    "x" + i + "@remote.example", "y" + i + "@remote.example"));
            List<String> got = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        List<Entry> batch;
                        while (!(batch = q.claim(T0, LEASE, 3)).isEmpty())
                            batch.forEach(e -> got.add(e.queueId() + " " + e.recipient()));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) t.join();
            assertThat(got).hasSize(40).doesNotHaveDuplicates();
        }
    }

    @Test
    public void deferCountsAttemptsAndRemoveFreesTheBodyWithTheLastRow() throws Exception {
        try (OpenStore store = open()) {
            OutboundQueue q = store.queue();
            String id = deliver(store.mail(), "body\r\n", remote(Optional.empty(), "a@remote.example", "b@remote.example"));
            q.claim(T0, LEASE, 10);
            q.defer(id, addr("a@remote.example"), T0.plusSeconds(300), "451 4.3.0 later");
            Entry a = q.list().stream().filter(e -> e.recipient().equals(addr("a@remote.example"))).findFirst().orElseThrow();
            assertThat(a.state()).isEqualTo(OutboundQueue.State.QUEUED);
            assertThat(a.attempts()).isEqualTo(1);
            assertThat(a.lastReply()).isEqualTo("451 4.3.0 later");
            assertThat(q.nextDue()).contains(T0.plusSeconds(300));
            assertThat(q.claim(T0.plusSeconds(299), LEASE, 10)).isEmpty();
            q.remove(id, addr("b@remote.example"));
            assertThat(store.hasBody(id)).as("still referenced by a's row").isTrue();
            assertThat(q.claim(T0.plusSeconds(300), LEASE, 10)).hasSize(1);
            q.remove(id, addr("a@remote.example"));
            assertThat(store.hasBody(id)).isFalse();
            assertThat(q.list()).isEmpty();
        }
    }

    @Test
    public void bodyStaysWhileALocalCopyUsesIt() throws Exception {
        try (OpenStore store = open()) {
            store.directory().addDomain(Domain.of("example.org"));
            store.directory().addUser(addr("bob@example.org"), "bob-password-22".toCharArray());
            OutboundQueue q = store.queue();
            String id = deliver(store.mail(), "body\r\n", new MailStore.Delivery(Optional.empty(),
                    List.of(addr("bob@example.org")), List.of(addr("a@remote.example")), T0));
            q.claim(T0, LEASE, 10);
            q.remove(id, addr("a@remote.example"));
            assertThat(read(store.mail(), store.mail().messages(addr("bob@example.org"), "INBOX").getFirst()))
                    .isEqualTo("body\r\n");
        }
    }

    @Test
    public void requeueAfterCrashAndAdminCommands() throws Exception {
        String id;
        try (OpenStore store = open()) {
            id = deliver(store.mail(), "body\r\n", remote(Optional.empty(), "a@remote.example"));
            assertThat(store.queue().claim(T0, LEASE, 10)).hasSize(1);
        } // "crash": the row stays SENDING
        try (OpenStore store = open(); AdminView adminView = openAdmin()) {
            OutboundQueue q = store.queue();
            OutboundQueue admin = adminView.queue();
            assertThat(admin.delete(id)).as("a row being sent is not deleted").isZero();
            assertThat(q.requeueAbandoned(T0)).isEqualTo(1);
            assertThat(admin.hold(id)).isEqualTo(1);
            assertThat(q.claim(T0.plusSeconds(9999), LEASE, 10)).as("held").isEmpty();
            assertThat(admin.release(id, T0)).isEqualTo(1);
            q.claim(T0, LEASE, 10);
            q.defer(id, addr("a@remote.example"), T0.plusSeconds(3600), "421 busy");
            assertThat(admin.retryNow(id, T0)).isEqualTo(1);
            assertThat(q.nextDue()).contains(T0);
            assertThat(admin.delete(id)).isEqualTo(1);
            assertThat(admin.list()).isEmpty();
            assertThat(store.hasBody(id)).isFalse();
        }
    }
}
