package moat.server.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;
import moat.core.Reply;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.protocol.smtp.SmtpLimits;
import moat.protocol.smtp.SmtpHandler;
import moat.protocol.smtp.SmtpSession;
import moat.server.limits.Doorman;
import moat.server.limits.ListenerLimits;

/**
 * Accepts connections on one port and gives each its own virtual thread. A failure inside one
 * connection never reaches the accept loop.
 */
public final class SmtpListener implements AutoCloseable {
    /** Wraps an accepted socket in server-side TLS (STARTTLS or implicit TLS). */
    @FunctionalInterface
    public interface TlsWrapper {
        SSLSocket wrap(Socket plain) throws IOException;
    }

    /** What every connection of this listener shares. */
    record Context(SmtpSession.Config sessionConfig, SmtpLimits limits, SmtpHandler.Factory handlers, TlsWrapper tls,
                   AtomicLong sessions, String idPrefix, Consumer<Throwable> errors, ListenerLimits guard) {
        String nextSessionId() {
            return idPrefix + Long.toString(sessions.incrementAndGet(), 36);
        }

        void internalError(Throwable t) {
            errors.accept(t);
        }
    }

    private final ServerSocket server;
    private final Context ctx;
    private final boolean implicitTls;
    private final Thread acceptor;

    private SmtpListener(ServerSocket server, Context ctx, boolean implicitTls) {
        this.server = server;
        this.ctx = ctx;
        this.implicitTls = implicitTls;
        this.acceptor = Thread.ofPlatform().name("smtp-accept-" + server.getLocalPort()).daemon(true).unstarted(this::acceptLoop);
    }

    /**
     * Binds and starts accepting. Throws {@link java.net.BindException} when the port is taken or
     * privileged; the caller turns that into an admin-readable message.
     */
    public static SmtpListener start(InetAddress bind, int port, Listener role, String hostname, SmtpLimits limits,
                                     DeliveryHandler handler, TlsWrapper tls, Consumer<Throwable> errors,
                                     ListenerLimits guard) throws IOException {
        ServerSocket ss = Doorman.bind(bind, port);
        SmtpSession.Config cfg = new SmtpSession.Config(hostname, role, limits, true);
        String prefix = Doorman.sessionPrefix(role.name().charAt(0));
        SmtpHandler.Factory handlers = () -> new RateLimitingHandler(handler.open(), guard.gate());
        Context ctx = new Context(cfg, limits, handlers, tls, new AtomicLong(), prefix, errors, guard);
        SmtpListener l = new SmtpListener(ss, ctx, role == Listener.SUBMISSIONS);
        l.acceptor.start();
        return l;
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        Doorman.acceptLoop(server, s -> Doorman.admit(ctx.guard(), ctx.sessionConfig().listener().name(), s, "smtp-" + s.getPort(),
                reason -> Reply.of(reason).wire(), new SmtpConnection(s, ctx, implicitTls)), ctx::internalError);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
