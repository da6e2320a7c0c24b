package moat.server.imap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import moat.server.limits.Doorman;
import moat.server.limits.ListenerLimits;
import moat.protocol.imap.ImapBackend;
import moat.protocol.imap.ImapLimits;
import moat.protocol.imap.ImapSession;
import moat.server.smtp.SmtpListener.TlsWrapper;

/**
 * Accepts IMAP connections on one port (143 with STARTTLS, or 993 with implicit TLS) and gives
 * each its own virtual thread. A failure inside one connection never reaches the accept loop.
 */
public final class ImapListener implements AutoCloseable {
    /** What every connection of this listener shares. */
    record Context(ImapSession.Config config, ImapLimits limits, ImapBackend backend, TlsWrapper tls,
                   boolean implicitTls, AtomicLong sessions, String idPrefix, Consumer<Throwable> errors) {
        String nextSessionId() {
            return idPrefix + Long.toString(sessions.incrementAndGet(), 36);
        }
    }

    private final ServerSocket server;
    private final Context ctx;
    private final ListenerLimits guard;
    private final Thread acceptor;

    private ImapListener(ServerSocket server, Context ctx, ListenerLimits guard) {
        this.server = server;
        this.ctx = ctx;
        this.guard = guard;
        this.acceptor = Thread.ofPlatform().name("imap-accept-" + server.getLocalPort()).daemon(true)
                .unstarted(this::acceptLoop);
    }

    /** Binds and starts accepting; {@link java.net.BindException} when the port is taken or privileged. */
    public static ImapListener start(InetAddress bind, int port, boolean implicitTls, String hostname, ImapLimits limits,
                                     ImapBackend backend, TlsWrapper tls, ListenerLimits guard,
                                     Consumer<Throwable> errors) throws IOException {
        ServerSocket ss = Doorman.bind(bind, port);
        String prefix = Doorman.sessionPrefix(implicitTls ? 'J' : 'I');
        Context ctx = new Context(new ImapSession.Config(hostname, limits, true), limits, backend, tls, implicitTls,
                new AtomicLong(), prefix, errors);
        ImapListener l = new ImapListener(ss, ctx, guard);
        l.acceptor.start();
        return l;
    }

    public boolean implicitTls() {
        return ctx.implicitTls();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        // The shared connection limits (moat.server.limits); RFC 9051 BYE with [UNAVAILABLE].
        Doorman.acceptLoop(server, s -> Doorman.admit(guard, ctx.implicitTls() ? "IMAPS" : "IMAP", s, "imap-" + s.getPort(),
                        reason -> "* BYE [UNAVAILABLE] " + reason.text() + "\r\n", new ImapConnection(s, ctx)), ctx.errors());
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
