package moat.server.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import moat.core.Reply;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.protocol.smtp.SmtpLimits;
import moat.protocol.smtp.SmtpHandler;
import moat.protocol.smtp.SmtpSession;
import moat.server.connection.Acceptor;
import moat.server.limits.ListenerLimits;
import moat.server.tls.TlsWrapper;

/**
 * Starts an SMTP listener on one port: the session settings of its role (MX, submission,
 * submissions) and what its connections share, on the shared accept loop
 * ({@link moat.server.connection.Acceptor}).
 */
public final class SmtpListener {
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

    private SmtpListener() {}

    /**
     * Binds and starts accepting. Throws {@link java.net.BindException} when the port is taken or
     * privileged; the caller turns that into an admin-readable message.
     */
    public static Acceptor start(InetAddress bind, int port, Listener role, String hostname, SmtpLimits limits,
                                 DeliveryHandler handler, TlsWrapper tls, Consumer<Throwable> errors,
                                 ListenerLimits guard) throws IOException {
        SmtpSession.Config cfg = new SmtpSession.Config(hostname, role, limits, true);
        String prefix = Acceptor.sessionPrefix(role.name().charAt(0));
        SmtpHandler.Factory handlers = () -> new RateLimitingHandler(handler.open(), guard.gate());
        Context ctx = new Context(cfg, limits, handlers, tls, new AtomicLong(), prefix, errors, guard);
        boolean implicitTls = role == Listener.SUBMISSIONS;
        return Acceptor.start(bind, port, new Acceptor.Door(role.name(), "smtp", reason -> Reply.of(reason).wire()), guard,
                s -> new SmtpConnection(s, ctx, implicitTls), errors);
    }
}
