package moat.server.imap;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import moat.server.connection.Acceptor;
import moat.server.limits.ListenerLimits;
import moat.protocol.imap.ImapBackend;
import moat.protocol.imap.ImapLimits;
import moat.protocol.imap.ImapSession;
import moat.server.tls.TlsWrapper;

/**
 * Starts an IMAP listener on one port (143 with STARTTLS, or 993 with implicit TLS) on the shared
 * accept loop ({@link moat.server.connection.Acceptor}).
 */
public final class ImapListener {
    /** What every connection of this listener shares. */
    record Context(ImapSession.Config config, ImapLimits limits, ImapBackend backend, TlsWrapper tls,
                   boolean implicitTls, AtomicLong sessions, String idPrefix, Consumer<Throwable> errors) {
        String nextSessionId() {
            return idPrefix + Long.toString(sessions.incrementAndGet(), 36);
        }
    }

    private ImapListener() {}

    /** Binds and starts accepting; {@link java.net.BindException} when the port is taken or privileged. */
    public static Acceptor start(InetAddress bind, int port, boolean implicitTls, String hostname, ImapLimits limits,
                                 ImapBackend backend, TlsWrapper tls, ListenerLimits guard,
                                 Consumer<Throwable> errors) throws IOException {
        String prefix = Acceptor.sessionPrefix(implicitTls ? 'J' : 'I');
        Context ctx = new Context(new ImapSession.Config(hostname, limits, true), limits, backend, tls, implicitTls,
                new AtomicLong(), prefix, errors);
        // The shared connection limits (moat.server.limits); RFC 9051 BYE with [UNAVAILABLE].
        Acceptor.Door door = new Acceptor.Door(implicitTls ? "IMAPS" : "IMAP", "imap",
                reason -> "* BYE [UNAVAILABLE] " + reason.text() + "\r\n");
        return Acceptor.start(bind, port, door, guard, s -> new ImapConnection(s, ctx), errors);
    }
}
