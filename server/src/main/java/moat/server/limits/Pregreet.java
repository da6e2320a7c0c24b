package moat.server.limits;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Early-talker detection (Postfix postscreen's "pregreet" test): SMTP (RFC 5321 section 3.1),
 * POP3 and IMAP clients must wait for the server's greeting. Spam bots often do not, because
 * waiting costs them throughput. Holding the banner back for a moment and looking for input
 * before writing it catches them before any session state exists.
 *
 * <p>Only for plaintext greetings: on implicit-TLS ports the client legitimately speaks first
 * (the TLS ClientHello).
 */
public final class Pregreet {
    private Pregreet() {}

    /**
     * Waits up to {@code delay} for client input on the plaintext socket. True when the client
     * sent something before the greeting. Reads at most one byte and only in that
     * case, when the connection is going to be refused anyway. With a zero delay, only input
     * that is already there counts.
     */
    public static boolean earlyTalker(Socket socket, Duration delay) throws IOException {
        InputStream in = socket.getInputStream();
        if (in.available() > 0) return true;
        if (delay.isZero()) return false;
        int saved = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, delay.toMillis())));
        try {
            // A byte: the client did not wait. EOF: it left (a port probe); no refusal to log,
            // the greeting write or the first read ends the connection quietly.
            return in.read() >= 0;
        } catch (SocketTimeoutException quiet) {
            return false; // the plain socket stays usable after a read timeout
        } finally {
            socket.setSoTimeout(saved);
        }
    }

    /**
     * Writes {@code reply} and half-closes, then reads and drops what the early talker already
     * sent (at most 4 KiB, at most half a second): closing with unread input makes the kernel
     * send a reset, and the client would lose the reply with it.
     */
    public static void refuse(Socket socket, String reply) throws IOException {
        socket.getOutputStream().write(reply.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.shutdownOutput();
        socket.setSoTimeout(500);
        byte[] sink = new byte[512];
        InputStream in = socket.getInputStream();
        try {
            for (int total = 0; total < 4096; ) {
                int n = in.read(sink);
                if (n < 0) break;
                total += n;
            }
        } catch (SocketTimeoutException enough) {
            // the client keeps quiet or keeps talking: either way we close now
        }
    }
}
