package moat.server.limits;

import java.net.InetSocketAddress;
import java.time.Duration;
import moat.core.Reason;

/**
 * What one listener needs from this package: the shared gate, its banner delay and the body
 * transfer rate, and where to report refusals made before any session exists (the audit log).
 * IMAP and POP3 listeners take the same record.
 */
public record ListenerLimits(ConnectionGate gate, Duration bannerDelay, DataRate.Limits dataRate, RefusalLog refusals) {
    /** Hears refusals that happen before a session exists (at accept, pregreet). */
    @FunctionalInterface
    public interface RefusalLog {
        void refused(String listener, InetSocketAddress client, Reason reason);
    }
}
