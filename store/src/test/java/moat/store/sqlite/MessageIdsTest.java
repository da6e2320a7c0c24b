package moat.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
    @Test
    void idsAreUniqueSortableAndSafeFileNames() {
        MessageIds ids = new MessageIds(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5000; i++) made.add(ids.next());
        assertThat(made).doesNotHaveDuplicates().isSorted();
        assertThat(made).allMatch(id -> id.matches("[0-9a-hjkmnp-tv-z]{20}")).allMatch(MessageIds::looksValid);
    }

    @Test
    void laterClockMeansLaterIdAcrossInstances() {
        String early = new MessageIds(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)).next();
        String late = new MessageIds(Clock.fixed(Instant.parse("2026-01-01T00:00:00.001Z"), ZoneOffset.UTC)).next();
        assertThat(late).isGreaterThan(early);
    }

    @Test
    void bucketsSpreadOverAll256Directories() {
        MessageIds ids = new MessageIds(Clock.systemUTC());
        Set<String> buckets = new HashSet<>();
        for (int i = 0; i < 20_000; i++) buckets.add(MessageIds.bucket(ids.next()));
        assertThat(buckets).hasSize(256).allMatch(b -> b.matches("[0-9a-f]{2}"));
    }
}
