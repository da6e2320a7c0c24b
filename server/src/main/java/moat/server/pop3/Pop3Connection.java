package moat.server.pop3;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import moat.protocol.pop3.Action;
import moat.protocol.pop3.Pop3Handler.TlsInfo;
import moat.protocol.pop3.Pop3Session;
import moat.protocol.pop3.Response;

/**
 * The blocking I/O loop of one POP3 connection, on its own virtual thread: reads command lines
 * with a timeout on every read and performs the session's {@link Action}s. Responses are flushed
 * only when no further client input is buffered (PIPELINING, RFC 2449 section 6.6).
 */
final class Pop3Connection implements Runnable {
    private static final int COPY_BUFFER = 16 * 1024;

    private final Socket plain;
    private final Pop3Listener.Context ctx;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Pop3Session session;
    /**
     * Client input is command lines only (RFC 2449 section 4: at most 255 octets), so a small read
     * buffer is enough; it is held by every idle connection (8 KiB before).
     */
    private final byte[] buf = new byte[1024];
    private int pos;
    private int lim;
    private Instant deadline;

    Pop3Connection(Socket plain, Pop3Listener.Context ctx) {
        this.plain = plain;
        this.ctx = ctx;
    }

    @Override
    public void run() {
        String why = "closed";
        var limits = ctx.sessionConfig().limits();
        try (plain) {
            socket = plain;
            deadline = Instant.now().plus(limits.maxSession());
            Optional<TlsInfo> tls = Optional.empty();
            if (ctx.sessionConfig().implicitTlsListener()) {
                SSLSocket ssl = ctx.tls().wrap(plain);
                setTimeout(limits.idleTimeout());
                ssl.startHandshake();
                socket = ssl;
                tls = Optional.of(new TlsInfo(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite()));
            }
            in = socket.getInputStream();
            out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            session = new Pop3Session(ctx.sessionConfig(), ctx.backend(), ctx.nextSessionId(),
                    (InetSocketAddress) plain.getRemoteSocketAddress(), tls);
            ctx.backend().connected(session.info());
            write(session.greeting());
            why = loop();
        } catch (SocketTimeoutException e) {
            // RFC 1939 section 3: on the autologout timer, close without a response (and no UPDATE).
            why = "timeout";
        } catch (IOException e) {
            why = "io: " + e.getClass().getSimpleName();
        } catch (RuntimeException e) {
            // A bug must not take the listener down: log it, drop this connection only.
            why = "internal error: " + e;
            ctx.errors().accept(e);
            sendQuietly(Response.err(Response.Code.SYS_TEMP, "Internal error, closing connection"));
        } finally {
            if (session != null) session.connectionLost(why);
            if (socket != plain) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing after an error: nothing more to do
                }
            }
        }
    }

    /** Returns why the loop ended. */
    private String loop() throws IOException {
        var limits = ctx.sessionConfig().limits();
        byte[] line = new byte[limits.maxCommandLine() - 1]; // the limit counts CRLF; the CR is stripped later
        while (true) {
            if (Instant.now().isAfter(deadline)) {
                write(session.sessionTooLongResponse());
                out.flush();
                return "session duration";
            }
            setTimeout(limits.idleTimeout());
            int n = readLine(line);
            if (n == -1) return "client closed";
            Action a = n == -2 ? session.onLineTooLong() : session.onLine(line, n);
            if (!perform(a)) return "quit";
        }
    }

    /** Performs one action; false when the connection must close. */
    private boolean perform(Action a) throws IOException {
        switch (a) {
            case Action.Send s -> {
                write(s.response());
                return true;
            }
            case Action.Continue c -> {
                out.write(("+ " + c.challenge() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                return true;
            }
            case Action.Close c -> {
                write(c.response());
                out.flush();
                return false;
            }
            case Action.SendMessage m -> {
                write(m.response());
                try (InputStream body = m.body()) {
                    byte[] chunk = new byte[COPY_BUFFER];
                    int r;
                    while (!m.encoder().satisfied() && (r = body.read(chunk)) > 0) m.encoder().feed(chunk, 0, r, out);
                }
                m.encoder().finish(out);
                return true;
            }
            case Action.StartTls t -> {
                write(t.response());
                out.flush();
                // CVE-2011-0411 class: bytes the client pipelined after STLS came in plaintext and
                // must never be read as if they came over TLS. Drop them.
                pos = lim = 0;
                SSLSocket ssl = ctx.tls().wrap(socket);
                setTimeout(ctx.sessionConfig().limits().idleTimeout());
                ssl.startHandshake();
                socket = ssl;
                in = ssl.getInputStream();
                out = new BufferedOutputStream(ssl.getOutputStream(), 8192);
                session.tlsStarted(new TlsInfo(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite()));
                return true;
            }
        }
    }

    /**
     * Reads one line into {@code line} without its LF (and CR). Returns its length, -1 at end of
     * stream, or -2 when the line was longer than the buffer (the rest is skipped up to the LF).
     */
    private int readLine(byte[] line) throws IOException {
        int n = 0;
        boolean overflow = false;
        while (true) {
            if (pos == lim && !fill()) return -1;
            while (pos < lim) {
                byte b = buf[pos++];
                if (b == '\n') {
                    if (overflow) return -2;
                    if (n > 0 && line[n - 1] == '\r') n--;
                    return n;
                }
                if (n < line.length) line[n++] = b;
                else overflow = true;
            }
        }
    }

    /** Refills the buffer; flushes pending responses first since the client may be waiting for them. */
    private boolean fill() throws IOException {
        out.flush();
        int r = in.read(buf, 0, buf.length);
        if (r <= 0) return false;
        pos = 0;
        lim = r;
        return true;
    }

    private void setTimeout(Duration d) throws IOException {
        long left = Duration.between(Instant.now(), deadline).toMillis();
        socket.setSoTimeout((int) Math.max(1, Math.min(d.toMillis(), left)));
    }

    private void write(Response r) throws IOException {
        out.write(r.wire());
    }

    private void sendQuietly(Response r) {
        if (r == null || out == null) return;
        try {
            write(r);
            out.flush();
        } catch (IOException ignored) {
            // the peer is gone
        }
    }
}
