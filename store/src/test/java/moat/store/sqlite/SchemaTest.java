package moat.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import moat.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaTest {
    @TempDir
    Path dir;

    @Test
    void recordsTheVersionAndRunsInWalMode() throws Exception {
        StoreFixture.open(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"))) {
            assertThat(Schema.version(c)).isEqualTo(Schema.MIGRATIONS.size());
            try (ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
            }
        }
        StoreFixture.open(dir).close(); // migrating again is a no-op
    }

    @Test
    void refusesADatabaseFromANewerMoat() throws Exception {
        StoreFixture.open(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"))) {
            c.createStatement().execute("PRAGMA user_version = " + (Schema.MIGRATIONS.size() + 1));
        }
        assertThatThrownBy(() -> StoreFixture.open(dir)).isInstanceOf(StoreException.class)
                .hasMessageContaining("downgrade");
        // The failed open released the data-directory lock.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"))) {
            c.createStatement().execute("PRAGMA user_version = " + Schema.MIGRATIONS.size());
        }
        StoreFixture.open(dir).close();
    }
}
