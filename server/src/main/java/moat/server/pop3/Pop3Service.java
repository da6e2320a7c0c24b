package moat.server.pop3;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import moat.server.limits.ListenerLimits;
import moat.protocol.pop3.Pop3Limits;
import moat.protocol.pop3.Pop3Session;
import moat.server.audit.AuditLog;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import moat.server.smtp.SmtpListener.TlsWrapper;
import moat.store.Directory;
import moat.store.MailStore;

/**
 * The POP3 listeners of one server: {@code listener.pop3_port} (STLS) and
 * {@code listener.pop3s_port} (implicit TLS) on every bind address, sharing one backend and
 * therefore one set of maildrop locks.
 */
public final class Pop3Service implements AutoCloseable {
    private final List<Pop3Listener> listeners;
    private final int port;
    private final int tlsPort;

    private Pop3Service(List<Pop3Listener> listeners, int port, int tlsPort) {
        this.listeners = listeners;
        this.port = port;
        this.tlsPort = tlsPort;
    }

    /**
     * Binds and starts both listeners. A {@link BindException} names the address, the port and
     * the setting, so the composition root can show it to the admin as is.
     */
    public static Pop3Service start(Config config, String hostname, Directory directory, MailStore store,
                                    LoginGate gate, TlsWrapper tls, ListenerLimits guard, AuditLog audit)
            throws IOException {
        Pop3Limits limits = Pop3Settings.limits(config);
        Pop3Backend backend = new Pop3Backend(directory, store, gate, audit);
        Consumer<Throwable> errors = e -> audit.internal("server.error", e);
        List<Pop3Listener> started = new ArrayList<>();
        int[] ports = {-1, -1};
        try {
            for (boolean implicit : new boolean[] {false, true}) {
                java.util.OptionalInt configured =
                        ServerSettings.effectivePort(config, implicit ? Pop3Settings.POP3S_PORT : Pop3Settings.POP3_PORT);
                if (configured.isEmpty()) continue; // "off": no listener
                int p = configured.getAsInt();
                var cfg = new Pop3Session.Config(hostname, limits, implicit);
                for (String bind : config.get(ServerSettings.BIND_ADDRESSES)) {
                    InetAddress addr = InetAddress.getByName(bind);
                    Pop3Listener l;
                    try {
                        l = Pop3Listener.start(addr, p, cfg, backend, tls, guard, errors);
                    } catch (BindException e) {
                        BindException named = new BindException("cannot listen on " + addr.getHostAddress() + ":" + p
                                + " (" + (implicit ? "listener.pop3s_port" : "listener.pop3_port") + "): " + e.getMessage()
                                + (p < 1024 ? "; ports below 1024 need privileges (see server.port_offset)" : ""));
                        named.initCause(e);
                        throw named;
                    }
                    started.add(l);
                    if (ports[implicit ? 1 : 0] < 0) ports[implicit ? 1 : 0] = l.port();
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Pop3Listener l : started) {
                try {
                    l.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw e;
        }
        return new Pop3Service(List.copyOf(started), ports[0], ports[1]);
    }

    /** The STLS port (first bind address); refused when listener.pop3_port is off. */
    public int port() {
        if (port < 0) throw new IllegalStateException("listener.pop3_port is off");
        return port;
    }

    /** The implicit-TLS port (first bind address); refused when listener.pop3s_port is off. */
    public int tlsPort() {
        if (tlsPort < 0) throw new IllegalStateException("listener.pop3s_port is off");
        return tlsPort;
    }

    @Override
    public void close() {
        for (Pop3Listener l : listeners) {
            try {
                l.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
    }
}
