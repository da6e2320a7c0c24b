package moat.server.pop3;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import moat.server.limits.Doorman;
import moat.server.limits.ListenerLimits;
import moat.protocol.pop3.Pop3Session;
import moat.server.smtp.SmtpListener.TlsWrapper;

/**
 * Accepts POP3 connections on one port and gives each its own virtual thread. A failure inside
 * one connection never reaches the accept loop.
 */
final class Pop3Listener implements AutoCloseable {

    /** What every connection of this listener shares. */
    record Context(Pop3Session.Config sessionConfig, Pop3Backend backend, TlsWrapper tls, AtomicLong sessions,
                   String idPrefix, Consumer<Throwable> errors) {
        String nextSessionId() {
            return idPrefix + Long.toString(sessions.incrementAndGet(), 36);
        }
    }

    private final ServerSocket server;
    private final Context ctx;
    private final ListenerLimits guard;
    private final Thread acceptor;

    private Pop3Listener(ServerSocket server, Context ctx, ListenerLimits guard) {
        this.server = server;
        this.ctx = ctx;
        this.guard = guard;
        this.acceptor = Thread.ofPlatform().name("pop3-accept-" + server.getLocalPort()).daemon(true)
                .unstarted(this::acceptLoop);
    }

    static Pop3Listener start(InetAddress bind, int port, Pop3Session.Config config, Pop3Backend backend,
                              TlsWrapper tls, ListenerLimits guard, Consumer<Throwable> errors) throws IOException {
        ServerSocket ss = Doorman.bind(bind, port);
        String prefix = Doorman.sessionPrefix(config.implicitTlsListener() ? 'Q' : 'P');
        Pop3Listener l = new Pop3Listener(ss, new Context(config, backend, tls, new AtomicLong(), prefix, errors), guard);
        l.acceptor.start();
        return l;
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        // The shared connection limits (moat.server.limits), refused with RFC 3206 [SYS/TEMP].
        Doorman.acceptLoop(server, s -> Doorman.admit(guard, ctx.sessionConfig().implicitTlsListener() ? "POP3S" : "POP3", s,
                        "pop3-" + s.getPort(), reason -> "-ERR [SYS/TEMP] " + reason.text() + "\r\n",
                        new Pop3Connection(s, ctx)), ctx.errors());
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
