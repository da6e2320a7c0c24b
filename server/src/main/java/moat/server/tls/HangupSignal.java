package moat.server.tls;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP ("reload your files", the Unix daemon convention) dispatched to any number of
 * listeners. The JVM allows one handler per signal, so everything that wants SIGHUP registers here.
 * Uses {@code sun.misc.Signal} from module jdk.unsupported: there is no supported API for it.
 * LIMITATION: on platforms without SIGHUP (Windows) registration answers false and nothing happens.
 */
public final class HangupSignal {
    private static final Logger LOG = LoggerFactory.getLogger(HangupSignal.class);
    private static final List<Runnable> LISTENERS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    private HangupSignal() {}

    /** Runs {@code listener} (on a virtual thread) at each SIGHUP. False when signals are unavailable. */
    public static boolean register(Runnable listener) {
        LISTENERS.add(listener);
        return install();
    }

    public static void unregister(Runnable listener) {
        LISTENERS.remove(listener);
    }

    private static synchronized boolean install() {
        if (installed) return true;
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                // The signal dispatch thread must not block on file I/O: hand each listener off.
                for (Runnable r : LISTENERS) Thread.ofVirtual().name("sighup").start(r);
            });
            installed = true;
        } catch (Throwable e) { // IllegalArgumentException (unknown signal), LinkageError (no jdk.unsupported)
            LOG.warn("SIGHUP reload is unavailable on this platform: {}", e.toString());
        }
        return installed;
    }
}
