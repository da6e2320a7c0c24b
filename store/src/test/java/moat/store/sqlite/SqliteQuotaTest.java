package moat.store.sqlite;

import java.nio.file.Path;
import moat.store.contract.Backend;
import moat.store.contract.QuotaContract;
import org.junit.jupiter.api.io.TempDir;

/** The store contract's {@link QuotaContract} on the SQLite store. */
class SqliteQuotaTest extends QuotaContract {
    @TempDir
    Path dir;

    @Override
    protected Backend backend() {
        return new SqliteBackend(dir);
    }
}
