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
import moat.server.connection.ClientInput;
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
    private OutputStream out;
    private Pop3Session session;
    /**
     * Client input is command lines only (RFC 2449 section 4: at most 255 octets), so a small read
     * buffer is enough; it is held by every idle connection (8 KiB before).
     */
    private static final int READ_BUFFER = 1024;
    private ClientInput input;
    private Instant deadline;

    Pop3Connection(Socket plain, Pop3Listener.Context ctx) {
        this.plain = plain;
        this.ctx = ctx;
    }

    @Override
    public void run() {
        String why = "closed";
        var limits = ctx.sessionConfig().limits();
        // Not try-with-resources: that would close the socket before the catch blocks could send
        // their last response (the internal-error -ERR), as it did in the SMTP connection.
        try {
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
            out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            input = new ClientInput(socket.getInputStream(), out, READ_BUFFER);
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
            for (Socket s : new Socket[] {socket, plain}) {
                if (s == null) continue;
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing after an error: nothing more to do
                }
            }
        }
    }

    /** Returns why the loop ended. */
    private String loop() throws IOException {
        var limits = ctx.sessionConfig().limits();
        int maxLine = limits.maxCommandLine() - 1; // the limit counts CRLF; the CR is stripped later
        while (true) {
            if (Instant.now().isAfter(deadline)) {
                write(session.sessionTooLongResponse());
                out.flush();
                return "session duration";
            }
            setTimeout(limits.idleTimeout());
            int n = input.readLine(maxLine);
            if (n == ClientInput.EOF) return "client closed";
            Action a = n == ClientInput.TOO_LONG ? session.onLineTooLong() : session.onLine(input.line(), n);
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
                input.discardBuffered();
                SSLSocket ssl = ctx.tls().wrap(socket);
                setTimeout(ctx.sessionConfig().limits().idleTimeout());
                ssl.startHandshake();
                socket = ssl;
                out = new BufferedOutputStream(ssl.getOutputStream(), 8192);
                input.switchTo(ssl.getInputStream(), out);
                session.tlsStarted(new TlsInfo(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite()));
                return true;
            }
        }
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
