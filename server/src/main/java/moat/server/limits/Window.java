package moat.server.limits;

import java.time.Duration;
import java.time.Instant;

/**
 * A fixed-window event counter, as Postfix anvil keeps them: the window opens at the first event
 * and the count restarts when it is over. O(1) memory per counter, which is what lets the tables
 * hold many clients.
 *
 * <p>LIMITATION: a client can land up to twice the limit around a window boundary (end of one
 * window, start of the next). A sliding log would be exact but costs memory per event.
 * Not thread-safe: guarded by the owning table's lock.
 */
final class Window {
    private final Duration length;
    private Instant start = Instant.EPOCH;
    private int count;

    Window(Duration length) {
        this.length = length;
    }

    /** Counts one event at {@code now}; returns the count in the current window including it. */
    int hit(Instant now) {
        roll(now);
        if (count < Integer.MAX_VALUE) count++;
        return count;
    }

    int count(Instant now) {
        roll(now);
        return count;
    }

    void reset(Instant now) {
        start = now;
        count = 0;
    }

    /** Nothing counted in a window that is still open: the entry holding it may be dropped. */
    boolean expired(Instant now) {
        return count == 0 || !now.isBefore(start.plus(length));
    }

    private void roll(Instant now) {
        if (!now.isBefore(start.plus(length))) {
            start = now;
            count = 0;
        }
    }
}
