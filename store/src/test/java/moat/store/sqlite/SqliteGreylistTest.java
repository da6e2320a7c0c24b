package moat.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteGreylistTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void savesFindsAndOverwritesTriplets() throws Exception {
        try (SqliteStore store = StoreFixture.open(dir)) {
            SqliteGreylist g = store.greylist();
            assertThat(g.find("192.0.2.0/24", "a@b.example", "alice@example.org")).isEmpty();
            g.save("192.0.2.0/24", "a@b.example", "alice@example.org", new SqliteGreylist.Row(T0, T0, false));
            g.save("192.0.2.0/24", "a@b.example", "alice@example.org", new SqliteGreylist.Row(T0, T0.plusSeconds(300), true));
            assertThat(g.find("192.0.2.0/24", "a@b.example", "alice@example.org"))
                    .contains(new SqliteGreylist.Row(T0, T0.plusSeconds(300), true));
            assertThat(g.find("192.0.2.0/24", "", "alice@example.org")).isEmpty();
        }
        try (SqliteStore store = StoreFixture.open(dir)) { // survives a restart
            assertThat(store.greylist().find("192.0.2.0/24", "a@b.example", "alice@example.org")).isPresent();
        }
    }

    @Test
    void countsClientPassesAndPurgesOldRows() throws Exception {
        try (SqliteStore store = StoreFixture.open(dir)) {
            SqliteGreylist g = store.greylist();
            g.recordPass("192.0.2.0/24", T0);
            g.recordPass("192.0.2.0/24", T0.plusSeconds(60));
            assertThat(g.passes("192.0.2.0/24", T0)).isEqualTo(2);
            assertThat(g.passes("192.0.2.0/24", T0.plusSeconds(61))).isZero();
            g.save("198.51.100.0/24", "", "x@example.org", new SqliteGreylist.Row(T0, T0, false));
            assertThat(g.purge(T0.plusSeconds(30))).isEqualTo(1);
            assertThat(g.purge(T0.plusSeconds(3600))).isEqualTo(1);
            assertThat(g.passes("192.0.2.0/24", T0)).isZero();
        }
    }
}
