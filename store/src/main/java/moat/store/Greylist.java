package moat.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Greylisting state kept by the store so that it survives restarts and, in cluster mode, is
 * shared by every node: one row per triplet (client network, sender, recipient) and a pass count
 * per client network. The policy module's greylist decides; this only remembers (the server
 * module adapts one to the other, so the store does not depend on policy). Strings are the
 * caller's normalised forms, compared exactly.
 */
public interface Greylist {
    /** One triplet's row. */
    record Row(Instant firstSeen, Instant lastSeen, boolean passed) {}

    Optional<Row> find(String clientNet, String sender, String recipient);

    /** Inserts or overwrites the triplet's row. */
    void save(String clientNet, String sender, String recipient, Row row);

    /** Passes recorded for the client network whose last one is at or after {@code since} (0 otherwise). */
    int passes(String clientNet, Instant since);

    /** One more pass of the client network, at {@code at}. */
    void recordPass(String clientNet, Instant at);

    /** Forgets triplets and clients not seen since {@code before}; returns the number of rows removed. */
    int purge(Instant before);
}
