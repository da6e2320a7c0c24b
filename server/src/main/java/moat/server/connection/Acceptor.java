package moat.server.limits;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Function;
import moat.core.Reason;

/**
 * The accept-time step every listener (SMTP, IMAP, POP3) shares: ask the {@link ConnectionGate},
 * then either start the connection on its own virtual thread holding the permit, or write the
 * protocol's one-line refusal and close. A refusal costs a table look-up and one write: no TLS,
 * no session, no thread.
 */
public final class Doorman {
    private Doorman() {}

    /**
     * A listening socket on bind:port (backlog 1024, SO_REUSEADDR), closed again when the bind
     * fails: {@link java.net.BindException} when the port is taken or privileged, which the
     * caller turns into an admin-readable message.
     */
    public static ServerSocket bind(java.net.InetAddress bind, int port) throws IOException {
        ServerSocket ss = new ServerSocket();
        try {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(bind, port), 1024);
            return ss;
        } catch (IOException | RuntimeException e) {
            ss.close();
            throw e;
        }
    }

    /**
     * The prefix of a listener's session ids: the start time in base 36 and one letter naming the
     * listener, so ids in the audit log are unique across listeners and restarts.
     */
    public static String sessionPrefix(char listener) {
        return Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36) + listener;
    }

    /** What a listener does with an accepted socket (usually: {@link #admit}). */
    @FunctionalInterface
    public interface Arrival {
        void arrived(Socket s) throws IOException;
    }

    /**
     * The accept loop of every listener, on its own platform thread, until the server socket is
     * closed. A failure for one socket (or "too many open files") is reported and the loop goes on
     * after a short pause, so no client can stop the listener.
     */
    public static void acceptLoop(ServerSocket server, Arrival arrival, Consumer<Throwable> errors) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                arrival.arrived(s);
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

    /**
     * @param refusal the protocol's refusal line for a reason, CRLF included (SMTP {@code 421 ...},
     *                IMAP {@code * BYE ...}, POP3 {@code -ERR ...})
     */
    public static void admit(ListenerLimits guard, String listener, Socket s, String threadName,
                             Function<Reason, String> refusal, Runnable connection) throws IOException {
        switch (guard.gate().tryAdmit(s.getInetAddress())) {
            case Admission.Refused r -> {
                guard.refusals().refused(listener, (InetSocketAddress) s.getRemoteSocketAddress(), r.reason());
                try (s) {
                    s.getOutputStream().write(refusal.apply(r.reason()).getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the client is gone already: nothing to tell it
                }
            }
            case Admission.Admitted a -> {
                Permit permit = a.permit();
                try {
                    Thread.ofVirtual().name(threadName).start(() -> {
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
