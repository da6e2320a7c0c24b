package moat.store.contract;

import java.io.IOException;
import java.time.Clock;

/** A store implementation under the contract, on storage of its own that each test starts empty. */
public interface Backend {
    /**
     * Opens the store on this test's storage: empty the first time, holding what earlier opens
     * committed after that (a restart). One open store at a time.
     */
    OpenStore open(Clock clock) throws IOException;

    /**
     * What the admin commands ({@code moat user}, {@code moat queue}) use: another view of the
     * same storage, beside a running store or alone.
     */
    AdminView openAdmin() throws IOException;
}
