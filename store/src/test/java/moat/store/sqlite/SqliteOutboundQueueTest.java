package moat.store.sqlite;

import java.nio.file.Path;
import moat.store.contract.Backend;
import moat.store.contract.OutboundQueueContract;
import org.junit.jupiter.api.io.TempDir;

/** The store contract's {@link OutboundQueueContract} on the SQLite store (admin: {@link SqliteOutboundQueue#openAdmin}). */
class SqliteOutboundQueueTest extends OutboundQueueContract {
    @TempDir
    Path dir;

    @Override
    protected Backend backend() {
        return new SqliteBackend(dir);
    }
}
