package moat.store.sqlite;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import moat.store.Mailboxes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process listeners per mailbox id, fired after a change is committed (never before: a woken
 * IMAP session must be able to read what it was told about). LIMITATION: one JVM only; cluster
 * mode needs PostgreSQL LISTEN/NOTIFY behind the same interface.
 */
final class ChangeNotifier {
    private static final Logger log = LoggerFactory.getLogger(ChangeNotifier.class);
    private final Map<Long, CopyOnWriteArrayList<Runnable>> listeners = new ConcurrentHashMap<>();

    Mailboxes.Watch watch(long mailboxId, Runnable onChange) {
        listeners.computeIfAbsent(mailboxId, k -> new CopyOnWriteArrayList<>()).add(onChange);
        return () -> listeners.computeIfPresent(mailboxId, (k, l) -> {
            l.remove(onChange);
            return l.isEmpty() ? null : l;
        });
    }

    void fire(long mailboxId) {
        var l = listeners.get(mailboxId);
        if (l == null) return;
        for (Runnable r : l) {
            try {
                r.run();
            } catch (RuntimeException e) { // one broken listener must not starve the others
                log.warn("mailbox change listener failed", e);
            }
        }
    }
}
