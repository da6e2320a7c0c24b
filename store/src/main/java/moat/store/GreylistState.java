package moat.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Greylisting state as rows: one per (client network, sender, recipient) triplet, and a pass count
 * per client network. The policy module's {@code GreylistStore} is adapted to this in the server
 * module, because the store does not depend on policy. Purging is up to the caller.
 */
public interface GreylistState {
    /** One triplet's row. */
    record Row(Instant firstSeen, Instant lastSeen, boolean passed) {}

    Optional<Row> find(String clientNet, String sender, String recipient);

    void save(String clientNet, String sender, String recipient, Row row);

    /** Passes recorded for the client network since {@code since}; 0 when none. */
    int passes(String clientNet, Instant since);

    void recordPass(String clientNet, Instant at);

    /** Forgets triplets and clients not seen since {@code before}; returns the number of rows removed. */
    int purge(Instant before);
}
