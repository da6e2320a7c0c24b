package moat.server.pop3;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import moat.server.connection.Acceptor;
import moat.server.limits.ListenerLimits;
import moat.protocol.pop3.Pop3Limits;
import moat.protocol.pop3.Pop3Session;
import moat.server.tls.TlsWrapper;

/**
 * Starts a POP3 listener on one port (110 with STLS, or 995 with implicit TLS) on the shared
 * accept loop ({@link moat.server.connection.Acceptor}).
 */
public final class Pop3Listener {

    /** What every connection of this listener shares. */
    record Context(Pop3Session.Config sessionConfig, Pop3Backend backend, TlsWrapper tls, AtomicLong sessions,
                   String idPrefix, Consumer<Throwable> errors) {
        String nextSessionId() {
            return idPrefix + Long.toString(sessions.incrementAndGet(), 36);
        }
    }

    private Pop3Listener() {}

    /** Binds and starts accepting; {@link java.net.BindException} when the port is taken or privileged. */
    public static Acceptor start(InetAddress bind, int port, boolean implicitTls, String hostname, Pop3Limits limits,
                                 Pop3Backend backend, TlsWrapper tls, ListenerLimits guard,
                                 Consumer<Throwable> errors) throws IOException {
        Pop3Session.Config config = new Pop3Session.Config(hostname, limits, implicitTls);
        String prefix = Acceptor.sessionPrefix(config.implicitTlsListener() ? 'Q' : 'P');
        Context ctx = new Context(config, backend, tls, new AtomicLong(), prefix, errors);
        // The shared connection limits (moat.server.limits), refused with RFC 3206 [SYS/TEMP].
        Acceptor.Door door = new Acceptor.Door(config.implicitTlsListener() ? "POP3S" : "POP3", "pop3",
                reason -> "-ERR [SYS/TEMP] " + reason.text() + "\r\n");
        return Acceptor.start(bind, port, door, guard, s -> new Pop3Connection(s, ctx), errors);
    }
}
