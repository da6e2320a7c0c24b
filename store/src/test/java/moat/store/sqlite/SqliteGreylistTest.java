package moat.store.sqlite;

import java.nio.file.Path;
import moat.store.contract.Backend;
import moat.store.contract.GreylistContract;
import org.junit.jupiter.api.io.TempDir;

/** The store contract's {@link GreylistContract} on the SQLite store. */
class SqliteGreylistTest extends GreylistContract {
    @TempDir
    Path dir;

    @Override
    protected Backend backend() {
        return new SqliteBackend(dir);
    }
}
