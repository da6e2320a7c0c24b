package moat.server.connection;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Function;
import moat.core.Reason;
import moat.server.limits.Admission;
import moat.server.limits.ListenerLimits;
import moat.server.limits.Permit;

/**
 * One listening socket and its accept loop, the same for SMTP, IMAP and POP3: each accepted
 * socket asks the shared {@link moat.server.limits.ConnectionGate}, then either runs as its own
 * virtual thread holding the permit, or gets the protocol's one-line refusal and is closed. A
 * refusal costs a table look-up and one write: no TLS, no session, no thread. A failure inside
 * one connection never reaches the loop.
 */
public final class Acceptor implements AutoCloseable {

    /**
     * What the loop needs to know of a protocol.
     *
     * @param listener the listener's name in refusal events ({@code MX}, {@code IMAPS}, {@code POP3})
     * @param threads  the prefix of its thread names ({@code smtp}: {@code smtp-accept-25}, {@code smtp-40312})
     * @param refusal  its refusal line for a reason, CRLF included (SMTP {@code 421 ...}, IMAP
     *                 {@code * BYE ...}, POP3 {@code -ERR ...})
     */
    public record Door(String listener, String threads, Function<Reason, String> refusal) {}

    /** Makes the connection an admitted socket runs (on its own virtual thread). */
    @FunctionalInterface
    public interface Connections {
        Runnable open(Socket s);
    }

    private final ServerSocket server;

    private Acceptor(ServerSocket server) {
        this.server = server;
    }

    /**
     * Binds {@code bind:port} (backlog 1024, SO_REUSEADDR) and starts accepting on a platform
     * thread. Throws {@link java.net.BindException} when the port is taken or privileged, which
     * the caller turns into an admin-readable message.
     */
    public static Acceptor start(InetAddress bind, int port, Door door, ListenerLimits guard, Connections connections,
                                 Consumer<Throwable> errors) throws IOException {
        ServerSocket ss = new ServerSocket();
        try {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(bind, port), 1024);
        } catch (IOException | RuntimeException e) {
            ss.close();
            throw e;
        }
        Acceptor a = new Acceptor(ss);
        Thread.ofPlatform().name(door.threads() + "-accept-" + ss.getLocalPort()).daemon(true)
                .start(() -> a.acceptLoop(door, guard, connections, errors));
        return a;
    }

    /**
     * The prefix of a listener's session ids: the start time in base 36 and one letter naming the
     * listener, so ids in the audit log are unique across listeners and restarts.
     */
    public static String sessionPrefix(char listener) {
        return Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36) + listener;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Stops accepting; connections already running go on until they end. */
    @Override
    public void close() throws IOException {
        server.close();
    }

    /**
     * Until the server socket is closed. A failure for one socket (or "too many open files") is
     * reported and the loop goes on after a short pause, so no client can stop the listener.
     */
    private void acceptLoop(Door door, ListenerLimits guard, Connections connections, Consumer<Throwable> errors) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                admit(door, guard, s, connections);
            } catch (SocketException e) {
                if (server.isClosed()) return;
                errors.accept(e);
            } catch (IOException | RuntimeException e) {
                errors.accept(e);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static void admit(Door door, ListenerLimits guard, Socket s, Connections connections) throws IOException {
        switch (guard.gate().tryAdmit(s.getInetAddress())) {
            case Admission.Refused r -> {
                guard.refusals().refused(door.listener(), (InetSocketAddress) s.getRemoteSocketAddress(), r.reason());
                try (s) {
                    s.getOutputStream().write(door.refusal().apply(r.reason()).getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the client is gone already: nothing to tell it
                }
            }
            case Admission.Admitted a -> {
                Permit permit = a.permit();
                try {
                    Runnable connection = connections.open(s);
                    Thread.ofVirtual().name(door.threads() + "-" + s.getPort()).start(() -> {
                        try (permit) {
                            connection.run();
                        }
                    });
                } catch (RuntimeException | Error e) {
                    permit.close(); // no thread, no release: give the share back here
                    s.close();
                    throw e;
                }
            }
        }
    }
}
