package moat.policy.greylist;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Where greylisting remembers triplets and clients. Implementations: {@link InMemoryGreylistStore}
 * (bounded, lost on restart) and the SQLite one in the server module (survives restarts, shared
 * by every session). Must be safe for many threads at once.
 */
public interface GreylistStore {

    /** The greylisting key: client network (IPv4 /24 or IPv6 /64 as text), sender key ("" for {@code <>}), recipient key. */
    record Triplet(String clientNet, String sender, String recipient) {
        public Triplet {
            Objects.requireNonNull(clientNet, "clientNet");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(recipient, "recipient");
        }
    }

    /** When the triplet was first seen, last seen, and whether it has passed (retried after the delay). */
    record Entry(Instant firstSeen, Instant lastSeen, boolean passed) {}

    Optional<Entry> find(Triplet t);

    void save(Triplet t, Entry e);

    /** How many triplets of this client network passed, counting passes at or after {@code since}. */
    int passes(String clientNet, Instant since);

    /** Records that a triplet of this client network passed at {@code at}. */
    void recordPass(String clientNet, Instant at);

    /** Forgets triplets and client passes last seen before {@code before}. */
    void purge(Instant before);
}
