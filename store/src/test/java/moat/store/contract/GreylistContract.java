package moat.store.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import moat.store.GreylistState;
import org.junit.jupiter.api.Test;

/** {@link GreylistState}: triplets saved, found and overwritten across a restart; client passes counted and purged. */
public abstract class GreylistContract extends StoreContract {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    public void savesFindsAndOverwritesTriplets() throws Exception {
        try (OpenStore store = open()) {
            GreylistState g = store.greylist();
            assertThat(g.find("192.0.2.0/24", "a@b.example", "alice@example.org")).isEmpty();
            g.save("192.0.2.0/24", "a@b.example", "alice@example.org", new GreylistState.Row(T0, T0, false));
            g.save("192.0.2.0/24", "a@b.example", "alice@example.org", new GreylistState.Row(T0, T0.plusSeconds(300), true));
            assertThat(g.find("192.0.2.0/24", "a@b.example", "alice@example.org"))
                    .contains(new GreylistState.Row(T0, T0.plusSeconds(300), true));
            assertThat(g.find("192.0.2.0/24", "", "alice@example.org")).isEmpty();
        }
        try (OpenStore store = open()) { // survives a restart
            assertThat(store.greylist().find("192.0.2.0/24", "a@b.example", "alice@example.org")).isPresent();
        }
    }

    @Test
    public void countsClientPassesAndPurgesOldRows() throws Exception {
        try (OpenStore store = open()) {
            GreylistState g = store.greylist();
            g.recordPass("192.0.2.0/24", T0);
            g.recordPass("192.0.2.0/24", T0.plusSeconds(60));
            assertThat(g.passes("192.0.2.0/24", T0)).isEqualTo(2);
            assertThat(g.passes("192.0.2.0/24", T0.plusSeconds(61))).isZero();
            g.save("198.51.100.0/24", "", "x@example.org", new GreylistState.Row(T0, T0, false));
            assertThat(g.purge(T0.plusSeconds(30))).isEqualTo(1);
            assertThat(g.purge(T0.plusSeconds(3600))).isEqualTo(1);
            assertThat(g.passes("192.0.2.0/24", T0)).isZero();
        }
    }
}
