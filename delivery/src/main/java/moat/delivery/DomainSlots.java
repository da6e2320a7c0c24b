package moat.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import moat.core.Domain;

/**
 * At most {@code max} connections per recipient domain at once. A domain's entry lives only while
 * a connection to it is open, so the table holds no more entries than there are connections
 * (a map of one semaphore per domain ever seen would grow for ever).
 */
final class DomainSlots {
    private final int max;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final Map<Domain, Integer> open = new HashMap<>();

    DomainSlots(int max) {
        this.max = max;
    }

    void acquire(Domain d) throws InterruptedException {
        lock.lock();
        try {
            while (open.getOrDefault(d, 0) >= max) freed.await();
            open.merge(d, 1, Integer::sum);
        } finally {
            lock.unlock();
        }
    }

    void release(Domain d) {
        lock.lock();
        try {
            open.computeIfPresent(d, (k, v) -> v <= 1 ? null : v - 1);
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
