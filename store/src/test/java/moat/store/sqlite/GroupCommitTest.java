package moat.store.sqlite;

import static moat.store.sqlite.StoreFixture.addr;
import static moat.store.sqlite.StoreFixture.deliver;
import static moat.store.sqlite.StoreFixture.local;
import static moat.store.sqlite.StoreFixture.read;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.MailStore.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
    static final int THREADS = 50;
    static final int PER_THREAD = 20;

    @TempDir
    Path dir;

    @Test
    void concurrentCommitsLandExactlyOnceAndShareRounds() throws Exception {
        List<EmailAddress> users = List.of(addr("u0@example.org"), addr("u1@example.org"), addr("u2@example.org"));
        try (SqliteStore store = StoreFixture.open(dir)) {
            store.addDomain(Domain.of("example.org"));
            for (EmailAddress u : users) store.addUser(u, "pw".toCharArray());
            long roundsBefore = store.commitRounds();
            Set<String> ids = ConcurrentHashMap.newKeySet();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < PER_THREAD; i++) {
                            // every message to u0, and to one of u1/u2: mailboxes shared across threads
                            EmailAddress other = users.get(1 + (thread + i) % 2);
                            ids.add(deliver(store, "m " + thread + " " + i, local(users.get(0), other)));
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) f.get();
            }
            int total = THREADS * PER_THREAD;
            assertThat(ids).hasSize(total);

            List<StoredMessage> inbox0 = store.messages(users.get(0), "INBOX");
            assertThat(inbox0).extracting(StoredMessage::uid)
                    .containsExactlyElementsOf(range(1, total));
            assertThat(inbox0).extracting(StoredMessage::modseq).doesNotHaveDuplicates();
            assertThat(inbox0).extracting(StoredMessage::queueId).containsExactlyInAnyOrderElementsOf(ids);
            int n1 = store.messages(users.get(1), "INBOX").size();
            int n2 = store.messages(users.get(2), "INBOX").size();
            assertThat(n1 + n2).isEqualTo(total);
            assertThat(store.messages(users.get(1), "INBOX")).extracting(StoredMessage::uid)
                    .containsExactlyElementsOf(range(1, n1));

            Set<String> bodies = new HashSet<>();
            for (StoredMessage m : inbox0) bodies.add(read(store, m));
            assertThat(bodies).hasSize(total);

            long rounds = store.commitRounds() - roundsBefore;
            assertThat(rounds).isPositive().isLessThan(total); // a count, not a timing: batching happened
        }
    }

    @Test
    void oneCommitAtRestIsOneRound() throws IOException {
        try (SqliteStore store = StoreFixture.open(dir)) {
            store.addDomain(Domain.of("example.org"));
            store.addUser(addr("a@example.org"), "pw".toCharArray());
            long before = store.commitRounds();
            deliver(store, "x", local(addr("a@example.org")));
            assertThat(store.commitRounds() - before).isEqualTo(1);
        }
    }

    @Test
    void neverCarriesMoreThanMaxBatchPerRound() throws Exception {
        StoreSettings one = new StoreSettings(StoreFixture.SETTINGS.argon2(), 8, 1);
        try (SqliteStore store = SqliteStore.open(dir, one)) {
            store.addDomain(Domain.of("example.org"));
            store.addUser(addr("a@example.org"), "pw".toCharArray());
            long before = store.commitRounds();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 10; t++)
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 5; i++) deliver(store, "x", local(addr("a@example.org")));
                        return null;
                    }));
                for (Future<?> f : done) f.get();
            }
            assertThat(store.commitRounds() - before).isEqualTo(50);
            assertThat(store.messages(addr("a@example.org"), "INBOX")).hasSize(50);
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) out.add(i);
        return out;
    }
}
