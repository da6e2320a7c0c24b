package moat.server.smtp;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import moat.core.Reason;
import moat.core.Reply;
import moat.protocol.smtp.Action;
import moat.protocol.smtp.SessionInfo.TlsInfo;
import moat.protocol.smtp.SmtpHandler;
import moat.protocol.smtp.SmtpSession;
import moat.server.connection.ClientInput;
import moat.server.limits.DataRate;
import moat.server.limits.Pregreet;

/**
 * The blocking I/O loop of one SMTP connection, run on its own virtual thread. It reads lines
 * and data with a timeout on every read and performs the session's {@link Action}s.
 *
 * <p>Replies are flushed only when no further client input is already buffered, which is what
 * makes PIPELINING (RFC 2920) cheap without reordering anything.
 */
final class SmtpConnection implements Runnable {
    private final Socket plain;
    private final SmtpListener.Context ctx;
    private final boolean implicitTls;
    private Socket socket;
    private OutputStream out;
    private SmtpSession session;
    /**
     * Idle-connection memory: a session waiting for its next command holds a 1 KiB read buffer,
     * a command-line buffer grown only as long lines arrive and a 1 KiB reply buffer (24 KiB
     * before, allocated at accept). The read buffer grows to 16 KiB for a message body, so that
     * DATA and BDAT read in large blocks, and shrinks back once the body is consumed.
     */
    private static final int IDLE_BUFFER = 1024;
    private static final int DATA_BUFFER = 16 * 1024;
    private static final int REPLY_BUFFER = 1024;
    private ClientInput input;
    private Instant deadline;

    SmtpConnection(Socket plain, SmtpListener.Context ctx, boolean implicitTls) {
        this.plain = plain;
        this.ctx = ctx;
        this.implicitTls = implicitTls;
    }

    @Override
    public void run() {
        String why = "closed";
        // Not try-with-resources: that would close the socket before the catch blocks below
        // could send their last reply (421 timeout, 421 data rate).
        try {
            socket = plain;
            deadline = Instant.now().plus(ctx.limits().maxSessionDuration());
            Optional<TlsInfo> tls = Optional.empty();
            if (implicitTls) {
                SSLSocket ssl = ctx.tls().wrap(plain);
                plain.setSoTimeout(timeoutMillis(ctx.limits().commandTimeout()));
                ssl.startHandshake();
                socket = ssl;
                tls = Optional.of(new TlsInfo(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite()));
            }
            if (!implicitTls && Pregreet.earlyTalker(plain, ctx.guard().bannerDelay())) {
                // RFC 5321 section 3.1: the client waits for the greeting. This one did not.
                why = "pregreet";
                ctx.guard().refusals().refused(ctx.sessionConfig().listener().name(),
                        (InetSocketAddress) plain.getRemoteSocketAddress(), Reason.PREGREET);
                Pregreet.refuse(plain, Reply.of(Reason.PREGREET).wire());
                return;
            }
            out = new BufferedOutputStream(socket.getOutputStream(), REPLY_BUFFER);
            input = new ClientInput(socket.getInputStream(), out, IDLE_BUFFER);
            SmtpHandler handler = ctx.handlers().open();
            session = new SmtpSession(ctx.sessionConfig(), handler, ctx.nextSessionId(),
                    (InetSocketAddress) plain.getRemoteSocketAddress(), tls);
            Optional<Reply> refused = handler.connected(session.info());
            if (refused.isPresent()) { // policy at connect (deny list, DNSBL): answer instead of the greeting, close
                sendQuietly(refused.get());
                why = "refused at connect";
                return;
            }
            write(session.greeting());
            loop();
        } catch (SocketTimeoutException e) {
            why = "timeout";
            sendQuietly(session == null ? null : session.timeoutReply());
        } catch (TooSlow e) {
            why = "data rate";
            sendQuietly(Reply.of(Reason.DATA_RATE));
            drainQuietly();
        } catch (IOException e) {
            why = "io: " + e.getClass().getSimpleName();
        } catch (RuntimeException e) {
            // A bug must not take the listener down: log it, drop this connection only.
            why = "internal error: " + e;
            ctx.internalError(e);
            sendQuietly(Reply.of(421, "4.3.0", "Internal error, closing connection"));
        } finally {
            if (session != null) session.connectionLost(why);
            if (socket != plain) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing after an error: nothing more to do
                }
            }
            try {
                plain.close();
            } catch (IOException ignored) {
                // already closed by the TLS layer or the peer
            }
        }
    }

    private void loop() throws IOException {
        while (true) {
            if (Instant.now().isAfter(deadline)) {
                write(Reply.of(Reason.SESSION_TOO_LONG));
                session.connectionLost("session duration");
                return;
            }
            setTimeout(ctx.limits().commandTimeout());
            int n = input.readLine(ctx.limits().maxCommandLine());
            if (n == ClientInput.EOF) return; // client went away
            Action a = n == ClientInput.TOO_LONG ? session.onLineTooLong() : session.onLine(input.line(), n);
            if (!perform(a)) return;
        }
    }

    /** Performs actions until the session wants another command line; false when closing. */
    private boolean perform(Action first) throws IOException {
        Action a = first;
        while (true) {
            switch (a) {
                case Action.Send s -> {
                    write(s.reply());
                    return true;
                }
                case Action.Close c -> {
                    write(c.reply());
                    out.flush();
                    return false;
                }
                case Action.StartTls t -> {
                    write(t.reply());
                    out.flush();
                    // CVE-2011-0411: bytes the client pipelined after STARTTLS were sent in
                    // plaintext and must never be read as if they came over TLS. Drop them.
                    input.discardBuffered();
                    SSLSocket ssl = ctx.tls().wrap(socket);
                    setTimeout(ctx.limits().commandTimeout());
                    ssl.startHandshake();
                    socket = ssl;
                    out = new BufferedOutputStream(ssl.getOutputStream(), REPLY_BUFFER);
                    input.switchTo(ssl.getInputStream(), out);
                    session.tlsStarted(new TlsInfo(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite()));
                    return true;
                }
                case Action.ReadData d -> {
                    write(d.reply());
                    input.growTo(DATA_BUFFER);
                    DataRate rate = DataRate.start(ctx.guard().dataRate());
                    while (!d.decoder().ended()) {
                        if (input.drained() && !fillData(rate)) throw new IOException("EOF in DATA");
                        input.advance(d.decoder().feed(input.buffer(), input.position(), input.available(), d.sink()));
                    }
                    input.shrinkWhenDrained();
                    a = session.dataEnded();
                }
                case Action.ReadChunk c -> {
                    input.growTo(DATA_BUFFER);
                    DataRate rate = DataRate.start(ctx.guard().dataRate());
                    long remaining = c.size();
                    while (remaining > 0) {
                        if (input.drained() && !fillData(rate)) throw new IOException("EOF in BDAT");
                        int n = (int) Math.min(remaining, input.available());
                        c.decoder().feed(input.buffer(), input.position(), n, c.sink());
                        input.advance(n);
                        remaining -= n;
                    }
                    input.shrinkWhenDrained();
                    a = session.chunkEnded();
                }
            }
        }
    }

    /**
     * {@link ClientInput#fill} for a message body: each read may wait only until the transfer would fall
     * below the minimum data rate (slowloris), or the data timeout, whichever is sooner.
     */
    private boolean fillData(DataRate rate) throws IOException {
        if (rate.belowMinimum()) throw new TooSlow();
        setTimeout(Duration.ofMillis(rate.readTimeout(ctx.limits().dataTimeout())));
        try {
            boolean more = input.fill();
            if (more) rate.received(input.available());
            return more;
        } catch (SocketTimeoutException e) {
            if (rate.rateBound()) throw new TooSlow();
            throw e;
        }
    }

    /** The client sent a message body slower than limits.min_data_rate. */
    private static final class TooSlow extends IOException {
        TooSlow() {
            super("data rate below minimum");
        }
    }

    private void setTimeout(Duration d) throws IOException {
        long left = Duration.between(Instant.now(), deadline).toMillis();
        socket.setSoTimeout((int) Math.max(1, Math.min(d.toMillis(), left)));
    }

    private static int timeoutMillis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    private void write(Reply r) throws IOException {
        out.write(r.wire().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads and drops what the client is still sending (at most 4 KiB or half a second) before
     * the close: closing with unread input sends a reset, which can destroy the reply in flight.
     */
    private void drainQuietly() {
        try {
            socket.setSoTimeout(500);
            byte[] sink = new byte[512];
            java.io.InputStream in = socket.getInputStream();
            for (int total = 0; total < 4096; ) {
                int n = in.read(sink);
                if (n < 0) return;
                total += n;
            }
        } catch (IOException ignored) {
            // timed out or gone: close now either way
        }
    }

    private void sendQuietly(Reply r) {
        if (r == null || out == null) return;
        try {
            write(r);
            out.flush();
        } catch (IOException ignored) {
            // the peer is gone
        }
    }
}
