package moat.server.imap;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import moat.protocol.imap.ImapAction;
import moat.protocol.imap.ImapBackend;
import moat.protocol.imap.ImapSession;

/**
 * The blocking I/O loop of one IMAP connection on its own virtual thread: assembles complete
 * commands (lines plus the literals they announce, each bounded before it is read), performs
 * the session's actions, and polls for mailbox changes while the client idles.
 */
final class ImapConnection implements Runnable {
    /** A literal announcement at the end of a line: {n}, {n+} (RFC 7888) or ~{n} (RFC 3516). */
    private static final Pattern LITERAL = Pattern.compile("~?\\{(\\d{1,20})(\\+?)}$");

    private final Socket plain;
    private final ImapListener.Context ctx;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private ImapSession session;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int lim;
    private volatile boolean idling;

    /** Result of reading a command: bytes, or one of these markers. */
    private static final byte[] EOF = new byte[0];
    private static final byte[] TOO_LONG = new byte[0];
    private static final byte[] CLOSE = new byte[0];
    private static final byte[] SKIPPED = new byte[0];

    ImapConnection(Socket plain, ImapListener.Context ctx) {
        this.plain = plain;
        this.ctx = ctx;
    }

    @Override
    public void run() {
        // Not try-with-resources: that would close the socket before the catch could say BYE.
        try {
            socket = plain;
            java.util.Optional<ImapBackend.Tls> tls = java.util.Optional.empty();
            if (ctx.implicitTls()) {
                SSLSocket ssl = ctx.tls().wrap(plain);
                plain.setSoTimeout(millis(ctx.limits().unauthTimeout()));
                ssl.startHandshake();
                socket = ssl;
                tls = java.util.Optional.of(tlsOf(ssl));
            }
            in = socket.getInputStream();
            out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            session = new ImapSession(ctx.config(), ctx.backend(), ctx.nextSessionId(),
                    (InetSocketAddress) plain.getRemoteSocketAddress(), tls);
            out.write(session.greeting());
            loop();
        } catch (SocketTimeoutException e) {
            quietly(session == null ? null : session.timeoutBye());
        } catch (IOException e) {
            // the peer went away or the handshake failed: nothing to tell anyone
        } catch (RuntimeException e) {
            // A bug must not take the listener down: log it, drop this connection only.
            ctx.errors().accept(e);
            quietly("* BYE Internal error\r\n".getBytes(StandardCharsets.US_ASCII));
        } finally {
            if (session != null) session.connectionLost();
            for (Socket s : new Socket[] {socket, plain}) {
                try {
                    if (s != null) s.close();
                } catch (IOException ignored) {
                    // closing after an error
                }
            }
        }
    }

    private void loop() throws IOException {
        while (true) {
            socket.setSoTimeout(millis(session.timeout()));
            byte[] cmd = readCommand();
            if (cmd == EOF || cmd == CLOSE) return;
            if (cmd == SKIPPED) continue;
            ImapAction a = cmd == TOO_LONG ? session.onLineTooLong() : session.onCommand(cmd);
            if (!perform(a)) return;
        }
    }

    private boolean perform(ImapAction a) throws IOException {
        switch (a) {
            case ImapAction.Send s -> {
                for (byte[] part : s.parts()) out.write(part);
            }
            case ImapAction.Close c -> {
                out.write(c.bytes());
                out.flush();
                return false;
            }
            case ImapAction.Continue c -> {
                out.write(c.bytes());
                out.flush();
                byte[] line = readLineBytes(ctx.limits().maxLine());
                if (line == EOF) return false;
                return perform(line == TOO_LONG ? session.onLineTooLong() : session.onCommand(line));
            }
            case ImapAction.StartTls t -> {
                out.write(t.bytes());
                out.flush();
                // CVE-2011-0411 (and RFC 9051 section 6.2.1): bytes pipelined after STARTTLS
                // came in plaintext and must never be read as if they came over TLS.
                pos = lim = 0;
                SSLSocket ssl = ctx.tls().wrap(socket);
                ssl.startHandshake();
                socket = ssl;
                in = ssl.getInputStream();
                out = new BufferedOutputStream(ssl.getOutputStream(), 8192);
                session.tlsStarted(tlsOf(ssl));
            }
            case ImapAction.Idle i -> {
                out.write(i.bytes());
                return idle();
            }
        }
        return true;
    }

    /** What the idle reader hands to the connection thread. */
    private sealed interface IdleEvent {
        record Line(byte[] line) implements IdleEvent {}

        record Changed() implements IdleEvent {}

        record Gone(IOException why) implements IdleEvent {}
    }

    /**
     * RFC 2177: report changes as they happen until DONE. A virtual thread blocks reading the
     * DONE line while this one waits on a queue that the store's change notifier also feeds, so
     * news goes out at once without polling. Bounded by the idle timeout.
     */
    private boolean idle() throws IOException {
        out.flush();
        BlockingQueue<IdleEvent> events = new LinkedBlockingQueue<>();
        session.onChange(() -> events.offer(new IdleEvent.Changed()));
        idling = true;
        Thread reader = Thread.ofVirtual().name("imap-idle-read").start(() -> {
            try {
                byte[] l = readLineBytes(64);
                events.offer(l == EOF ? new IdleEvent.Gone(new IOException("EOF while idling"))
                        : new IdleEvent.Line(l == TOO_LONG ? new byte[0] : l));
            } catch (IOException e) {
                events.offer(new IdleEvent.Gone(e));
            }
        });
        Instant deadline = Instant.now().plus(session.timeout());
        try {
            byte[] pending = session.idleUpdates(); // a change may have landed before onChange
            if (pending.length > 0) {
                out.write(pending);
                out.flush();
            }
            while (true) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                IdleEvent e = left <= 0 ? null : events.poll(left, TimeUnit.MILLISECONDS);
                switch (e) {
                    case null -> throw new SocketTimeoutException("idle timeout");
                    case IdleEvent.Changed c -> {
                        byte[] news = session.idleUpdates();
                        if (news.length > 0) {
                            out.write(news);
                            out.flush();
                        }
                    }
                    case IdleEvent.Line l -> {
                        reader.join(); // the reader is done with the buffer before we touch it
                        idling = false;
                        return perform(session.idleDone(l.line()));
                    }
                    case IdleEvent.Gone g -> throw g.why();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while idling", e);
        } finally {
            session.onChange(() -> { });
        }
    }

    /**
     * One command: lines and the literals they announce. Each literal is announced, judged by
     * the session (size, state) and only then read; a refused synchronising literal is never
     * sent by the client, a refused non-synchronising one ends the connection.
     */
    private byte[] readCommand() throws IOException {
        ByteArrayOutputStream cmd = new ByteArrayOutputStream();
        long budget = ctx.limits().maxLiteral() + 16L * ctx.limits().maxLine();
        while (true) {
            byte[] line = readLineBytes(ctx.limits().maxLine());
            if (line == EOF || line == TOO_LONG) return line;
            cmd.writeBytes(line);
            Matcher m = LITERAL.matcher(tail(line));
            if (!m.find()) return cmd.toByteArray();
            long size = m.group(1).length() > 12 ? Long.MAX_VALUE : Long.parseLong(m.group(1));
            boolean nonSync = !m.group(2).isEmpty();
            if (size > budget - cmd.size()) size = Long.MAX_VALUE; // the whole command is bounded too
            switch (session.literal(cmd.toByteArray(), size, nonSync)) {
                case ImapSession.LiteralDecision.Reject r -> {
                    out.write(r.reply());
                    out.flush();
                    return r.close() ? CLOSE : SKIPPED;
                }
                case ImapSession.LiteralDecision.Accept acc -> {
                    if (acc.continuation().isPresent()) {
                        out.write(acc.continuation().get());
                        out.flush();
                    }
                }
            }
            cmd.write('\r');
            cmd.write('\n');
            long remaining = size;
            while (remaining > 0) {
                if (pos == lim && !fill()) return EOF;
                int n = (int) Math.min(remaining, lim - pos);
                cmd.write(buf, pos, n);
                pos += n;
                remaining -= n;
            }
        }
    }

    private static String tail(byte[] line) {
        int from = Math.max(0, line.length - 32);
        return new String(line, from, line.length - from, StandardCharsets.ISO_8859_1);
    }

    /** One line without CRLF; TOO_LONG when over {@code max} (the rest is skipped to the LF). */
    private byte[] readLineBytes(int max) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean overflow = false;
        while (true) {
            if (pos == lim && !fill()) return EOF;
            while (pos < lim) {
                byte b = buf[pos++];
                if (b == '\n') {
                    if (overflow) return TOO_LONG;
                    byte[] l = line.toByteArray();
                    return l.length > 0 && l[l.length - 1] == '\r' ? java.util.Arrays.copyOf(l, l.length - 1) : l;
                }
                if (line.size() < max) line.write(b);
                else overflow = true;
            }
        }
    }

    /** Refills the buffer; flushes pending responses first since the client may be waiting. */
    private boolean fill() throws IOException {
        // While idling the reader thread fills and the connection thread writes: only it flushes.
        if (!idling) out.flush();
        int r = in.read(buf, 0, buf.length);
        if (r <= 0) return false;
        pos = 0;
        lim = r;
        return true;
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    private void quietly(byte[] bytes) {
        if (bytes == null || out == null) return;
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException ignored) {
            // the peer is gone
        }
    }

    private static ImapBackend.Tls tlsOf(SSLSocket ssl) {
        return new ImapBackend.Tls(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite());
    }
}
