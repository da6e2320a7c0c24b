package moat.store.sqlite;

import java.nio.file.Path;
import moat.store.contract.Backend;
import moat.store.contract.DirectoryContract;
import org.junit.jupiter.api.io.TempDir;

/** The store contract's {@link DirectoryContract} on the SQLite store. */
class SqliteDirectoryTest extends DirectoryContract {
    @TempDir
    Path dir;

    @Override
    protected Backend backend() {
        return new SqliteBackend(dir);
    }
}
