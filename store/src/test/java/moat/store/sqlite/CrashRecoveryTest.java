package moat.store.sqlite;

import static moat.store.sqlite.StoreFixture.addr;
import static moat.store.sqlite.StoreFixture.read;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import moat.core.Domain;
import moat.core.testing.ChildJvm;
import moat.store.MailStore.StoredMessage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "250" promise under {@code kill -9}: every commit the child reported as returned is in the
 * index and its body reads back; every body file left on disk after recovery belongs to a row.
 * (A process kill, not a power cut: it proves the ordering and the recovery, while the fsyncs
 * themselves are trusted to the kernel.)
 */
@Tag("slow")
class CrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedCommitSurvivesKillNine() throws Exception {
        try (SqliteStore store = StoreFixture.open(dir)) {
            store.addDomain(Domain.of("example.org"));
            store.addUser(addr("crash@example.org"), "pw".toCharArray());
        }
        for (int round = 0; round < 3; round++) {
            Map<String, String> acknowledged = runAndKill(200 + 150 * round);
            try (SqliteStore store = StoreFixture.open(dir)) {
                List<StoredMessage> inbox = store.messages(addr("crash@example.org"), "INBOX");
                Map<String, StoredMessage> byId = new HashMap<>();
                inbox.forEach(m -> byId.put(m.queueId(), m));
                assertThat(byId.keySet()).containsAll(acknowledged.keySet());
                for (var e : acknowledged.entrySet()) assertThat(read(store, byId.get(e.getKey())).strip()).isEqualTo(e.getValue());
                assertThat(inbox).extracting(StoredMessage::uid).doesNotHaveDuplicates();
                assertThat(bodyFiles()).isEqualTo(inbox.size()); // no orphan left, no row without file
            }
        }
    }

    private Map<String, String> runAndKill(int acknowledgements) throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(List.of(), CrashChild.class.getName(), dir.toString(), "16"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, String> acknowledged = new HashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && acknowledged.size() < acknowledgements) {
                if (line.startsWith("OK ")) {
                    String[] p = line.split(" ", 3);
                    acknowledged.put(p[1], p[2]);
                }
            }
            // SIGKILL: no shutdown hooks, no close(), commits in flight. Lines the child printed
            // but we did not read yet are simply not counted.
            assertThat(ChildJvm.kill(child)).isEqualTo(ChildJvm.SIGKILL_EXIT);
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(acknowledgements);
        return acknowledged;
    }

    private long bodyFiles() throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("messages"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
