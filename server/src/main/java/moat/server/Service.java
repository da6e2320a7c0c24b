package moat.server;

import java.util.Map;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;

/** One started service of the server (SMTP, IMAP, POP3, outbound delivery): what it listens on, and how it stops. */
interface Service extends AutoCloseable {

    /**
     * The bound port of each of its listeners, keyed by the port's setting
     * ({@code listener.imaps_port}), for the first bind address; empty for a service that does
     * not listen. In start order.
     */
    Map<Setting<ListenerPort>, Integer> ports();

    /** Stops accepting (or working); connections already open end on their own. Never throws. */
    @Override
    void close();
}
