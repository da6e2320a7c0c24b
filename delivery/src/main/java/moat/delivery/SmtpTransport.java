package moat.delivery;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import moat.core.EmailAddress;
import moat.core.Reply;
import moat.protocol.smtpclient.Capabilities;
import moat.protocol.smtpclient.ClientTransaction;
import moat.protocol.smtpclient.ClientTransaction.Step;
import moat.protocol.smtpclient.DotStuffer;
import moat.protocol.smtpclient.ReplyParser;

/**
 * SMTP client connections to one MX address: greeting, EHLO (HELO if refused), opportunistic
 * STARTTLS and a second EHLO (RFC 3207 section 4.2: forget what was learnt before TLS), then
 * {@link ClientTransaction}s on the open {@link Session} (RSET between two, RFC 5321 section
 * 4.1.1.5; {@link ConnectionCache} keeps it between messages) and QUIT. Every read has the RFC 5321 section 4.5.3.2 timeout of what
 * it waits for; a write of message data that blocks longer than the data-block timeout closes the
 * socket (a watchdog, since Java sockets have no write timeout).
 */
final class SmtpTransport {
    /** RFC 5321 section 4.5.3.1.5 allows 512 octets per reply line; real servers send a bit more. */
    static final int MAX_REPLY_LINE = 2048;
    private static final int CHUNK = 64 * 1024;

    /** What the connection learnt: for the audit log and TLS-RPT ({@code tlsFailure}: why TLS did not succeed). */
    record Facts(String mxHost, InetAddress ip, Optional<String> tlsVersion, Optional<String> tlsCipher,
                 boolean peerVerified, Optional<TlsRpt.ResultType> tlsFailure) {
        Facts(String mxHost, InetAddress ip, Optional<String> tlsVersion, Optional<String> tlsCipher, boolean peerVerified) {
            this(mxHost, ip, tlsVersion, tlsCipher, peerVerified, Optional.empty());
        }

        Facts failedTls(TlsRpt.ResultType type) {
            return new Facts(mxHost, ip, tlsVersion, tlsCipher, peerVerified, Optional.of(type));
        }
    }

    sealed interface Result {
        /** The transaction ran: one reply per recipient; {@code use}: its number on this connection (1 = new). */
        record Completed(Map<EmailAddress, Reply> replies, Facts facts, int use) implements Result {}

        /** The TLS handshake failed: the caller may retry in plaintext. */
        record TlsFailed(String why, Facts facts) implements Result, Opened {}

        /** No usable session: refused, timed out, dropped, bad greeting, malformed reply. Try the next address. */
        record Failed(String why, Facts facts) implements Result, Opened {}
    }

    /** How STARTTLS is used: NONE (the plaintext retry), OPPORTUNISTIC (MX), REQUIRE[_VERIFIED] (smart host). */
    enum Tls { NONE, OPPORTUNISTIC, REQUIRE, REQUIRE_VERIFIED }

    /** Where to connect and how. */
    record Target(String host, InetAddress ip, int port, Tls tls, Optional<DeliverySettings.Credentials> auth,
                  List<moat.core.dns.Tlsa> dane) {
        Target {
            dane = List.copyOf(dane);
        }
    }

    /** The message bytes, opened once per attempt (the file is immutable). */
    interface Body {
        InputStream open() throws IOException;
    }

    private final String heloName;
    private final DeliverySettings.Timeouts timeouts;
    private final ScheduledExecutorService watchdog;
    /** Bound on a whole connection: a peer that drips one byte per read timeout cannot hold it longer. */
    private final Duration maxSession;

    private final PeerTrust.Anchors anchors;
    /**
     * Largest message converted to 7-bit for a peer without 8BITMIME: the conversion holds the
     * message (and its encoded copy) in memory; a larger one fails with 5.6.3 as if unconvertible.
     */
    static final long MAX_DOWNGRADE = 64L << 20;

    SmtpTransport(String heloName, DeliverySettings.Timeouts timeouts, Duration maxSession, PeerTrust.Anchors anchors,
                  ScheduledExecutorService watchdog) {
        this.anchors = anchors;
        this.maxSession = maxSession;
        this.heloName = heloName;
        this.timeouts = timeouts;
        this.watchdog = watchdog;
    }

    /** What {@link #open} gives: a session ready for a transaction, or why there is none. */
    sealed interface Opened permits Session, Result.TlsFailed, Result.Failed {}

    /**
     * Connects, reads the greeting, says EHLO, STARTTLS as the target asks, AUTH for a smart host:
     * a {@link Session} ready for its first transaction, or why not. The whole opening is bounded
     * by the session limit (a peer that drips one byte per read timeout cannot hold it longer).
     */
    Opened open(Target target) {
        String mxHost = target.host();
        InetAddress ip = target.ip();
        Facts facts = new Facts(mxHost, ip, Optional.empty(), Optional.empty(), false);
        Socket socket = new Socket();
        ScheduledFuture<?> sessionDog = watchdog.schedule(() -> closeQuietly(socket), maxSession.toMillis(),
                TimeUnit.MILLISECONDS);
        boolean ready = false;
        try {
            try {
                socket.connect(new InetSocketAddress(ip, target.port()), millis(timeouts.connect()));
            } catch (IOException e) {
                return new Result.Failed("connect: " + e.getMessage(), facts);
            }
            Conn c = new Conn(socket);
            Reply greeting = c.read(timeouts.greeting());
            // RFC 5321 section 3.1: a 554 greeting (or any non-220) means "no service here".
            if (greeting.code() != 220) return new Result.Failed("greeting: " + text(greeting), facts);
            Capabilities caps = ehlo(c);
            boolean tlsActive = false;
            if (target.tls() != Tls.NONE && caps.startTls()) {
                c.send(List.of("STARTTLS"));
                Reply r = c.read(timeouts.command());
                if (r.code() == 220) {
                    PeerTrust trust = new PeerTrust(anchors, target.dane(), mxHost);
                    SSLSocket tls;
                    try {
                        tls = handshake(socket, mxHost, trust);
                    } catch (IOException e) {
                        return new Result.TlsFailed("TLS handshake: " + e.getMessage(),
                                facts.failedTls(TlsRpt.ResultType.VALIDATION_FAILURE));
                    }
                    facts = new Facts(mxHost, ip, Optional.of(tls.getSession().getProtocol()),
                            Optional.of(tls.getSession().getCipherSuite()), trust.verified());
                    if (!trust.verified()) facts = facts.failedTls(trust.failureType()); // for TLS-RPT
                    if (target.tls() == Tls.REQUIRE_VERIFIED && !trust.verified())
                        return new Result.Failed("certificate not verified: " + trust.problem(), facts);
                    c = new Conn(tls); // bytes the peer sent before the handshake are dropped
                    caps = ehlo(c);
                    tlsActive = true;
                }
                // A refused STARTTLS: carry on in plaintext (opportunistic) unless TLS is required.
            }
            if (!tlsActive && (target.tls() == Tls.REQUIRE || target.tls() == Tls.REQUIRE_VERIFIED))
                return new Result.Failed("TLS required but not offered or refused",
                        facts.failedTls(TlsRpt.ResultType.STARTTLS_NOT_SUPPORTED));
            if (target.auth().isPresent()) {
                Optional<String> refused = authenticate(c, caps, target.auth().get(), tlsActive);
                if (refused.isPresent()) return new Result.Failed(refused.get(), facts);
            }
            ready = true;
            return new Session(target, socket, c, caps, facts);
        } catch (SocketTimeoutException e) {
            return new Result.Failed("timeout: " + e.getMessage(), facts);
        } catch (ProtocolError e) {
            return new Result.Failed("protocol: " + e.getMessage(), facts);
        } catch (IOException e) {
            return new Result.Failed("connection: " + e.getMessage(), facts);
        } finally {
            sessionDog.cancel(false);
            if (!ready) closeQuietly(socket);
        }
    }

    /**
     * One open SMTP connection after EHLO (and STARTTLS, AUTH): transactions one after the other,
     * RSET before a reused one, QUIT at the end. Used by one thread at a time (the cache hands it
     * over). Any I/O error or a 421 reply marks it broken: it is closed and never reused.
     */
    final class Session implements Opened {
        private final Target target;
        /** The TCP socket under TLS (if any): closing it always unblocks a stuck read or write. */
        private final Socket raw;
        private final Conn c;
        private final Capabilities caps;
        private final Facts facts;
        private final long openedNanos = System.nanoTime();
        private int transactions;
        private boolean broken;

        private Session(Target target, Socket raw, Conn c, Capabilities caps, Facts facts) {
            this.target = target;
            this.raw = raw;
            this.c = c;
            this.caps = caps;
            this.facts = facts;
        }

        Target target() {
            return target;
        }

        Facts facts() {
            return facts;
        }

        /** Transactions completed on this connection. */
        int transactions() {
            return transactions;
        }

        Duration age() {
            return Duration.ofNanos(System.nanoTime() - openedNanos);
        }

        /** False after an I/O error, a timeout, a 421, or once closed. */
        boolean usable() {
            return !broken && !raw.isClosed();
        }

        /**
         * One mail transaction. {@code beforeEnd} gets the completed result before anything else
         * is said on the connection (QUIT or the next RSET), so the caller can commit it at once:
         * the window in which a crash duplicates a delivered message (RFC 1047) does not include
         * waiting for another reply. A failure closes the connection.
         */
        Result send(ClientTransaction.Message message, Body body, java.util.function.Consumer<Result.Completed> beforeEnd) {
            ScheduledFuture<?> dog = watchdog.schedule(() -> closeQuietly(raw), maxSession.toMillis(),
                    TimeUnit.MILLISECONDS);
            try {
                // RFC 6152 section 3: a peer without 8BITMIME gets the body converted to 7-bit
                // (quoted-printable/base64 per part), like Postfix does; what cannot be converted
                // still fails in the transaction (5.6.3).
                if (message.eightBit() && !caps.eightBitMime() && !message.needsSmtpUtf8()
                        && message.size() <= MAX_DOWNGRADE) {
                    byte[] seven;
                    try (InputStream in = body.open()) {
                        seven = moat.protocol.mime.SevenBit.convert(in.readAllBytes());
                    }
                    if (!moat.protocol.mime.SevenBit.hasEightBitBody(seven)) {
                        message = new ClientTransaction.Message(message.sender(), message.recipients(), seven.length,
                                false, false);
                        body = () -> new java.io.ByteArrayInputStream(seven);
                    }
                }
                ClientTransaction t = new ClientTransaction(message, caps);
                Step step = t.start();
                while (true) {
                    switch (step) {
                        case Step.Send s -> {
                            c.send(s.lines());
                            step = t.onReply(c.read(timeout(t.awaiting())));
                        }
                        case Step.Await a -> step = t.onReply(c.read(timeout(t.awaiting())));
                        case Step.SendData d -> {
                            DotStuffer stuffer = new DotStuffer(c.out);
                            copy(body, stuffer, raw);
                            stuffer.finish();
                            step = t.onReply(c.read(timeout(t.awaiting())));
                        }
                        case Step.SendBdat b -> {
                            c.out.write(("BDAT " + b.size() + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
                            copy(body, c.out, raw);
                            c.out.flush();
                            step = t.onReply(c.read(timeout(t.awaiting())));
                        }
                        case Step.Done d -> {
                            transactions++;
                            // RFC 5321 section 3.8: 421 means the server is closing the channel.
                            if (d.results().values().stream().anyMatch(r -> r != null && r.code() == 421)) broken = true;
                            Result.Completed done = new Result.Completed(d.results(), facts, transactions);
                            beforeEnd.accept(done);
                            return done;
                        }
                    }
                }
            } catch (SocketTimeoutException e) {
                return fail("timeout: " + e.getMessage());
            } catch (ProtocolError e) {
                return fail("protocol: " + e.getMessage());
            } catch (IOException e) {
                return fail("connection: " + e.getMessage());
            } finally {
                dog.cancel(false);
            }
        }

        private Result.Failed fail(String why) {
            broken = true;
            closeQuietly(raw);
            return new Result.Failed(why, facts);
        }

        /**
         * RFC 5321 section 4.1.1.5: RSET before a kept connection carries the next transaction;
         * it also proves the peer is still there. False (and closed) when it is not.
         */
        boolean reset() {
            if (!usable()) return false;
            try {
                c.send(List.of("RSET"));
                Reply r = c.read(shortTimeout());
                if (r.code() == 250) return true;
            } catch (IOException e) {
                // gone: closed below
            }
            broken = true;
            closeQuietly(raw);
            return false;
        }

        /** QUIT (RFC 5321 section 4.1.1.10) and close; a broken connection is only closed. */
        void quit() {
            try {
                if (usable()) {
                    c.send(List.of("QUIT"));
                    c.read(shortTimeout());
                }
            } catch (IOException ignored) {
                // the transaction is over: a lost QUIT reply changes nothing (RFC 5321 section 4.1.1.10)
            } finally {
                broken = true;
                closeQuietly(raw);
            }
        }
    }

    /** RSET and QUIT: the command timeout, at most 10 seconds (nothing waits on them). */
    private Duration shortTimeout() {
        return timeouts.command().compareTo(Duration.ofSeconds(10)) < 0 ? timeouts.command() : Duration.ofSeconds(10);
    }

    /** RFC 4954 AUTH PLAIN, only inside TLS: the password never crosses a plaintext channel. */
    private Optional<String> authenticate(Conn c, Capabilities caps, DeliverySettings.Credentials cred, boolean tls)
            throws IOException {
        if (!tls) return Optional.of("AUTH needs TLS; not sending the password in plaintext");
        if (!caps.auth().contains("PLAIN")) return Optional.of("smart host does not offer AUTH PLAIN " + caps.auth());
        byte[] token = ("\0" + cred.user() + "\0" + cred.password()).getBytes(StandardCharsets.UTF_8);
        c.send(List.of("AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(token)));
        java.util.Arrays.fill(token, (byte) 0);
        Reply r = c.read(timeouts.command());
        return r.code() == 235 ? Optional.empty() : Optional.of("AUTH refused: " + text(r));
    }

    private Capabilities ehlo(Conn c) throws IOException {
        c.send(List.of("EHLO " + heloName));
        Reply r = c.read(timeouts.command());
        if (r.code() == 250) return Capabilities.parse(r);
        // RFC 5321 section 3.2: fall back to HELO when EHLO is refused.
        c.send(List.of("HELO " + heloName));
        Reply h = c.read(timeouts.command());
        if (h.code() != 250) throw new ProtocolError("HELO refused: " + text(h));
        return Capabilities.NONE;
    }

    private static SSLSocket handshake(Socket plain, String mxHost, PeerTrust trust) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, mxHost, plain.getPort(), true);
            s.setUseClientMode(true);
            SSLParameters p = s.getSSLParameters();
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            p.setEndpointIdentificationAlgorithm("HTTPS"); // checked and recorded by PeerTrust, not enforced
            try {
                p.setServerNames(List.of(new SNIHostName(mxHost)));
            } catch (IllegalArgumentException ignored) {
                // not a valid SNI name: no SNI
            }
            s.setSSLParameters(p);
            s.startHandshake();
            return s;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private Duration timeout(ClientTransaction.Phase p) {
        return switch (p) {
            case MAIL, RCPT, IGNORED -> timeouts.command();
            case DATA_INIT -> timeouts.dataInit();
            case DATA_END -> timeouts.dataEnd();
        };
    }

    /** Copies the body; a chunk whose write blocks past the data-block timeout closes the socket. */
    private void copy(Body body, OutputStream out, Socket socket) throws IOException {
        byte[] buf = new byte[CHUNK];
        try (InputStream in = body.open()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                ScheduledFuture<?> dog = watchdog.schedule(() -> closeQuietly(socket), millis(timeouts.dataBlock()),
                        TimeUnit.MILLISECONDS);
                try {
                    out.write(buf, 0, n);
                } finally {
                    dog.cancel(false);
                }
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing on a timeout: nothing else to do
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    static String text(Reply r) {
        return r.code() + r.status().map(s -> " " + s).orElse("") + " " + String.join(" / ", r.lines());
    }

    private static final class ProtocolError extends IOException {
        ProtocolError(String why) {
            super(why);
        }
    }

    /** Line I/O on one socket (plaintext or TLS). */
    private static final class Conn {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = new BufferedOutputStream(socket.getOutputStream(), CHUNK);
        }

        void send(List<String> lines) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (String l : lines) sb.append(l).append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        Reply read(Duration timeout) throws IOException {
            socket.setSoTimeout(millis(timeout));
            ReplyParser parser = new ReplyParser();
            while (true) {
                switch (parser.line(readLine())) {
                    case ReplyParser.Result.Complete c -> {
                        return c.reply();
                    }
                    case ReplyParser.Result.Malformed m -> throw new ProtocolError(m.why());
                    case ReplyParser.Result.Partial p -> { }
                }
            }
        }

        /** One CRLF-terminated line (a bare LF is accepted as the end too), at most MAX_REPLY_LINE octets. */
        private String readLine() throws IOException {
            byte[] buf = new byte[MAX_REPLY_LINE];
            int n = 0;
            while (true) {
                int b = in.read();
                if (b < 0) throw new ProtocolError("connection closed by the peer");
                if (b == '\n') break;
                if (n == buf.length) throw new ProtocolError("reply line longer than " + MAX_REPLY_LINE + " octets");
                buf[n++] = (byte) b;
            }
            if (n > 0 && buf[n - 1] == '\r') n--;
            return new String(buf, 0, n, StandardCharsets.UTF_8);
        }
    }
}
