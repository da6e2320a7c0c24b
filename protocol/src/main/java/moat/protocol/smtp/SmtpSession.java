package moat.protocol.smtp;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.core.Reply;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.protocol.smtp.SessionInfo.TlsInfo;
import moat.protocol.smtp.SmtpCommand.Auth;
import moat.protocol.smtp.SmtpHandler.AuditEvent;

/**
 * One SMTP server session as a state machine (RFC 5321). The I/O layer feeds it command lines
 * and end-of-data events and performs the {@link Action}s it returns. Not thread-safe: one
 * session belongs to one connection.
 *
 * <p>Preconditions live in one place per command (see {@link #dispatch}); the transaction
 * commands are in {@link MailTransaction}, the AUTH exchange in {@link AuthExchange}.
 */
public final class SmtpSession {
    private final Config config;
    private final SmtpHandler handler;
    private final InetSocketAddress client;
    private final String sessionId;

    private Optional<String> helo = Optional.empty();
    private boolean esmtp;
    private Optional<TlsInfo> tls;
    private Optional<EmailAddress> authUser = Optional.empty();
    private int errors;
    private int transactions;
    private MailTransaction transaction;
    private AuthExchange auth;
    private boolean closed;

    /** Fixed facts of this listener. */
    public record Config(String hostname, Listener listener, SmtpLimits limits, boolean tlsAvailable) {}

    public SmtpSession(Config config, SmtpHandler handler, String sessionId, InetSocketAddress client,
                       Optional<TlsInfo> implicitTls) {
        this.config = config;
        this.handler = handler;
        this.sessionId = sessionId;
        this.client = client;
        this.tls = implicitTls;
    }

    public Reply greeting() {
        // RFC 5321 section 4.3.1: the host name only; no software name or version.
        return Reply.plain(220, config.hostname() + " ESMTP");
    }

    public SessionInfo info() {
        return new SessionInfo(sessionId, config.listener(), client, helo, tls, authUser);
    }

    SmtpLimits limits() {
        return config.limits();
    }

    Config config() {
        return config;
    }

    SmtpHandler handler() {
        return handler;
    }

    boolean tlsActive() {
        return tls.isPresent();
    }

    Optional<EmailAddress> authUser() {
        return authUser;
    }

    void authenticated(EmailAddress user) {
        authUser = Optional.of(user);
    }

    /** A raw command line without its line ending. */
    public Action onLine(byte[] line, int length) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length)).toString();
        } catch (CharacterCodingException e) {
            return error("?", Reply.of(Reason.BAD_ENCODING));
        }
        if (text.indexOf('\r') >= 0 || text.indexOf('\0') >= 0)
            return error("?", Reply.of(Reason.SYNTAX_COMMAND, "Bare CR or NUL in command line"));
        if (auth != null) {
            AuthExchange a = auth;
            Action result = a.onResponse(text);
            if (a.done()) auth = null;
            return result;
        }
        return switch (CommandParser.parse(text)) {
            case CommandParser.Result.Ok ok -> dispatch(ok.command(), verbOf(text));
            case CommandParser.Result.Error err -> error(verbOf(text), err.reply());
        };
    }

    /** The command line was longer than the limit (the I/O layer skipped it). */
    public Action onLineTooLong() {
        return error("?", Reply.of(Reason.LINE_TOO_LONG));
    }

    private static String verbOf(String line) {
        int sp = line.indexOf(' ');
        String v = sp < 0 ? line : line.substring(0, sp);
        return v.length() > 16 || !v.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')
                ? "?" : v.toUpperCase(java.util.Locale.ROOT);
    }

    private Action dispatch(SmtpCommand command, String verb) {
        return switch (command) {
            case SmtpCommand.Ehlo e -> hello(e.name(), true);
            case SmtpCommand.Helo h -> hello(h.name(), false);
            case SmtpCommand.Mail m -> {
                if (helo.isEmpty()) yield error(verb, Reply.of(Reason.SEQUENCE, "Send EHLO or HELO first"));
                if (config.listener().isSubmission() && !tlsActive()) yield error(verb, Reply.of(Reason.TLS_REQUIRED));
                if (config.listener().isSubmission() && authUser.isEmpty()) yield error(verb, Reply.of(Reason.AUTH_REQUIRED));
                if (transaction != null) yield error(verb, Reply.of(Reason.SEQUENCE, "Nested MAIL command"));
                if (transactions >= config.limits().maxTransactions()) yield close(verb, Reply.of(Reason.TOO_MANY_TRANSACTIONS));
                MailTransaction t = new MailTransaction(this);
                Reply r = t.mail(m);
                if (r.isPositive()) transaction = t;
                yield reply(verb, r);
            }
            case SmtpCommand.Rcpt r -> transaction == null
                    ? error(verb, Reply.of(Reason.SEQUENCE, "Need MAIL before RCPT"))
                    : reply(verb, transaction.rcpt(r));
            case SmtpCommand.Data d -> transaction == null
                    ? error(verb, Reply.of(Reason.SEQUENCE, "Need MAIL before DATA"))
                    : transaction.data();
            case SmtpCommand.Bdat b -> transaction == null
                    ? discardChunk(b.size(), Reply.of(Reason.SEQUENCE, "Need MAIL before BDAT"))
                    : transaction.bdat(b);
            case SmtpCommand.Rset r -> {
                if (transaction != null) endTransaction(Reply.of(250, "2.0.0", "Reset"), Optional.empty());
                yield new Action.Send(Reply.of(250, "2.0.0", "OK"));
            }
            case SmtpCommand.Noop n -> new Action.Send(Reply.of(250, "2.0.0", "OK"));
            case SmtpCommand.Help h -> new Action.Send(Reply.of(214, "2.0.0", config.hostname() + " see RFC 5321"));
            case SmtpCommand.Quit q -> {
                if (transaction != null) endTransaction(Reply.of(221, "2.0.0", "Quit"), Optional.empty());
                closed = true;
                yield new Action.Close(Reply.of(221, "2.0.0", config.hostname() + " closing connection"));
            }
            case SmtpCommand.StartTls s -> {
                if (tlsActive()) yield error(verb, Reply.of(Reason.SEQUENCE, "TLS already active"));
                if (!config.tlsAvailable()) yield error(verb, Reply.of(Reason.TLS_UNAVAILABLE));
                if (transaction != null) endTransaction(Reply.of(220, "2.0.0", "STARTTLS"), Optional.empty());
                yield new Action.StartTls(Reply.of(220, "2.0.0", "Ready to start TLS"));
            }
            case SmtpCommand.Auth a -> startAuth(a, verb);
            case SmtpCommand.Vrfy v -> vrfy(verb);
            case SmtpCommand.Expn e -> vrfy(verb);
        };
    }

    private Action hello(String name, boolean extended) {
        String verb = extended ? "EHLO" : "HELO";
        if (name.length() > 255 || name.indexOf(' ') >= 0 || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f))
            return error(verb, Reply.of(Reason.SYNTAX_PARAMETER, "Invalid " + verb + " name"));
        Optional<Reply> refused = handler.helo(info(), name);
        if (refused.isPresent()) return error(verb, refused.get());
        if (transaction != null) endTransaction(Reply.of(250, "2.0.0", verb), Optional.empty());
        helo = Optional.of(name);
        esmtp = extended;
        if (!extended) return new Action.Send(Reply.plain(250, config.hostname()));
        return new Action.Send(Reply.plain(250, ehloLines().toArray(String[]::new)));
    }

    private List<String> ehloLines() {
        var lines = new java.util.ArrayList<String>();
        lines.add(config.hostname());
        lines.add("PIPELINING");
        lines.add("SIZE " + config.limits().maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("SMTPUTF8");
        lines.add("CHUNKING");
        if (!tlsActive() && config.tlsAvailable()) lines.add("STARTTLS");
        // RFC 4954 section 4 / RFC 8314: passwords only over TLS, and only where users submit.
        if (tlsActive() && config.listener().isSubmission() && authUser.isEmpty()) lines.add("AUTH PLAIN LOGIN");
        return lines;
    }

    private Action startAuth(Auth a, String verb) {
        if (!config.listener().isSubmission()) return error(verb, Reply.of(Reason.NOT_IMPLEMENTED, "AUTH is offered on the submission ports only"));
        if (!tlsActive()) return error(verb, Reply.of(Reason.TLS_REQUIRED));
        if (helo.isEmpty() || !esmtp) return error(verb, Reply.of(Reason.SEQUENCE, "Send EHLO first"));
        if (authUser.isPresent()) return error(verb, Reply.of(Reason.AUTH_ALREADY));
        if (transaction != null) return error(verb, Reply.of(Reason.SEQUENCE, "AUTH not allowed during a mail transaction"));
        AuthExchange x = new AuthExchange(this);
        Action result = x.start(a);
        if (!x.done()) auth = x;
        return result;
    }

    private Action vrfy(String verb) {
        return switch (config.limits().vrfy()) {
            case OFF -> error(verb, Reply.of(Reason.NOT_IMPLEMENTED));
            case CANNOT_VERIFY -> new Action.Send(
                    Reply.of(252, "2.1.5", "Cannot VRFY user, but will accept message and attempt delivery"));
        };
    }

    /** TLS handshake finished: forget everything said before it (RFC 3207 section 4.2). */
    public void tlsStarted(TlsInfo info) {
        tls = Optional.of(info);
        helo = Optional.empty();
        esmtp = false;
        transaction = null;
        auth = null;
    }

    /** The DATA stream ended (the decoder saw CRLF.CRLF). */
    public Action dataEnded() {
        MailTransaction t = transaction;
        if (t == null) return error("DATA", Reply.of(Reason.SEQUENCE));
        return t.finish("DATA");
    }

    /** A BDAT chunk was read completely. */
    public Action chunkEnded() {
        MailTransaction t = transaction;
        if (t == null) {
            Reply r = pendingChunkReply != null ? pendingChunkReply : Reply.of(Reason.SEQUENCE);
            pendingChunkReply = null;
            return error("BDAT", r);
        }
        return t.chunkEnded();
    }

    private Reply pendingChunkReply;

    /** Reads and drops a BDAT chunk we cannot use, then answers {@code reply} (RFC 3030 section 3). */
    Action discardChunk(long size, Reply reply) {
        pendingChunkReply = reply;
        return new Action.ReadChunk(size, DataDecoder.forBdat(limits()), OutputStream.nullOutputStream());
    }

    /** The connection broke or timed out. Releases anything held. */
    public void connectionLost(String why) {
        if (transaction != null) endTransaction(Reply.of(Reason.TIMEOUT, "Connection lost"), Optional.empty());
        if (!closed) handler.audit(info(), new AuditEvent.Disconnected(why));
        closed = true;
    }

    /** The reply for a read timeout in the current state. */
    public Reply timeoutReply() {
        return Reply.of(Reason.TIMEOUT);
    }

    void endTransaction(Reply finalReply, Optional<String> queueId) {
        MailTransaction t = transaction;
        transaction = null;
        if (t == null) return;
        t.release();
        if (queueId.isPresent()) transactions++;
        handler.audit(info(), new AuditEvent.TransactionEnded(t.snapshot(), t.size(), queueId, finalReply));
    }

    void clearTransaction() {
        transaction = null;
    }

    Action reply(String verb, Reply r) {
        if (r.isPositive()) return new Action.Send(r);
        return error(verb, r);
    }

    /** A refused command: counted toward the error limit and logged. */
    Action error(String verb, Reply r) {
        handler.audit(info(), new AuditEvent.Refused(verb, r));
        countError(r);
        return checkErrors(new Action.Send(r));
    }

    void countError(Reply r) {
        if (!r.isPositive()) errors++;
    }

    Action checkErrors(Action a) {
        if (errors >= config.limits().maxErrors() && a instanceof Action.Send) {
            closed = true;
            Reply bye = Reply.of(Reason.TOO_MANY_ERRORS);
            handler.audit(info(), new AuditEvent.Refused("*", bye));
            if (transaction != null) endTransaction(bye, Optional.empty());
            return new Action.Close(bye);
        }
        return a;
    }

    private Action close(String verb, Reply r) {
        closed = true;
        handler.audit(info(), new AuditEvent.Refused(verb, r));
        return new Action.Close(r);
    }

    public boolean closed() {
        return closed;
    }
}
