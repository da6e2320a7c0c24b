package moat.protocol.imap;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.protocol.sasl.Credentials;
import moat.protocol.sasl.SaslDecoder;

/**
 * One IMAP server session as a state machine (RFC 9051, serving RFC 3501 clients too). The I/O
 * layer hands it complete commands (literals inline) and performs the returned
 * {@link ImapAction}s. Not thread-safe except {@link SelectedMailbox#changed}, which the store's
 * notifier sets from another thread.
 *
 * <p>Each command is looked up once in the command table ({@link ImapCommand}: allowed
 * states, UID prefix, capability, handler); the commands of any state and of the
 * not-authenticated state are here, mailbox commands in {@link MailboxCommands}, FETCH in
 * {@link FetchCommand}, SEARCH in {@link SearchCommand}, the other message commands in
 * {@link MessageCommands}, QUOTA in {@link QuotaCommands}.
 */
public final class ImapSession {
    /** RFC 9051 section 3. */
    enum State { NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT }

    /** Fixed facts of a listener. */
    public record Config(String hostname, ImapLimits limits, boolean tlsAvailable) {}

    /** What to do with a literal the client announced. */
    public sealed interface LiteralDecision {
        /** Read it; first write {@code continuation} when present (synchronising literal). */
        record Accept(Optional<byte[]> continuation) implements LiteralDecision {}

        /** Refuse: write {@code reply}; close when the client will send the octets anyway (LITERAL+). */
        record Reject(byte[] reply, boolean close) implements LiteralDecision {}
    }

    final Config config;
    final ImapBackend backend;
    private final String sessionId;
    private final InetSocketAddress client;
    private boolean tls;
    private Optional<ImapBackend.Tls> tlsInfo;
    State state = State.NOT_AUTHENTICATED;
    EmailAddress user;
    SelectedMailbox selected;
    boolean rev2;
    boolean utf8;
    boolean condstore;
    /** RFC 7162 QRESYNC enabled: EXPUNGE becomes VANISHED, SELECT takes the QRESYNC parameter. */
    boolean qresync;
    private int errors;
    private String pendingAuthTag;
    private String idleTag;
    final MailboxCommands mailboxes;
    final MessageCommands messages;
    final SearchCommand search;
    final QuotaCommands quotas;
    private volatile Runnable wakeup = () -> { };

    /** {@code tls}: present when the connection is TLS from the start (implicit TLS, port 993). */
    public ImapSession(Config config, ImapBackend backend, String sessionId, InetSocketAddress client,
                       Optional<ImapBackend.Tls> tls) {
        this.config = config;
        this.backend = backend;
        this.sessionId = sessionId;
        this.client = client;
        this.tls = tls.isPresent();
        this.tlsInfo = tls;
        this.mailboxes = new MailboxCommands(this);
        this.messages = new MessageCommands(this);
        this.search = new SearchCommand(this);
        this.quotas = new QuotaCommands(this);
    }

    public String id() {
        return sessionId;
    }

    public byte[] greeting() {
        // Host name only: no software name or version.
        return new Out().untagged("OK [CAPABILITY " + capabilities() + "] " + config.hostname() + " IMAP ready").bytes();
    }

    String capabilities() {
        StringBuilder sb = new StringBuilder("IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE NAMESPACE");
        if (!tls) {
            if (config.tlsAvailable()) sb.append(" STARTTLS");
            sb.append(" LOGINDISABLED"); // RFC 9051 section 6.2.3: no passwords in plaintext
        } else if (state == State.NOT_AUTHENTICATED) {
            sb.append(" AUTH=PLAIN SASL-IR");
        }
        if (state != State.NOT_AUTHENTICATED) {
            sb.append(" UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE BINARY LIST-EXTENDED LIST-STATUS CONDSTORE QRESYNC ESEARCH UTF8=ACCEPT"
                    + " QUOTA QUOTA=RES-STORAGE"
                    + " APPENDLIMIT=")
                    .append(config.limits().maxLiteral());
        }
        return sb.toString();
    }

    public boolean authenticated() {
        return user != null;
    }

    /** How long the connection may stay silent in the current state. */
    public Duration timeout() {
        return authenticated() ? config.limits().idleTimeout() : config.limits().unauthTimeout();
    }

    public byte[] timeoutBye() {
        return new Out().untagged("BYE Autologout; idle for too long").bytes();
    }

    /** Decides on a literal announced at the end of a line ({@code sofar} holds the command so far). */
    public LiteralDecision literal(byte[] sofar, long size, boolean nonSync) {
        String head = new String(sofar, 0, Math.min(sofar.length, 200), StandardCharsets.US_ASCII);
        String[] words = head.split(" ", 4);
        String tag = words.length > 0 && !words[0].isEmpty() ? words[0] : "*";
        String verb = words.length > 1 ? words[1] : "";
        if (verb.equalsIgnoreCase("UID") && words.length > 2) verb = words[2];
        boolean message = ImapCommand.named(verb).map(ImapCommand::takesMessage).orElse(false);
        long max = !authenticated() ? 1024 : message ? config.limits().maxLiteral() : config.limits().maxOtherLiteral();
        if (size > max) {
            errors++;
            byte[] reply = new Out().tagged(tag, message ? "NO" : "BAD",
                    (message ? "[TOOBIG] " : "") + "Literal too large (max " + max + " octets)").bytes();
            if (nonSync) reply = new Out().raw(reply).untagged("BYE Literal too large").bytes();
            return new LiteralDecision.Reject(reply, nonSync);
        }
        return new LiteralDecision.Accept(nonSync ? Optional.empty()
                : Optional.of(new Out().text("+ Ready for literal data").crlf().bytes()));
    }

    public ImapAction onLineTooLong() {
        errors++;
        return withErrorLimit(new Out().untagged("BAD Command line too long").bytes());
    }

    /** One complete command: its line(s) with literal octets inline, without the final CRLF. */
    public ImapAction onCommand(byte[] command) {
        if (pendingAuthTag != null) return authResponse(command);
        return switch (ImapRequest.parse(command, config.limits().maxNesting())) {
            case ImapRequest.Parsed.Bad b -> {
                errors++;
                Out o = b.tag().isPresent() ? new Out().tagged(b.tag().get(), "BAD", b.text())
                        : new Out().untagged("BAD " + b.text());
                yield withErrorLimit(o.bytes());
            }
            case ImapRequest.Parsed.Ok ok -> run(ok.request());
        };
    }

    /** The state precondition from the command table, then the command's handler. */
    private ImapAction run(ImapRequest r) {
        if (!r.command().allowedIn(state))
            return new ImapAction.Send(new Out().tagged(r.tag(), "BAD", "Command not allowed now").bytes());
        try {
            return r.command().handler().handle(this, r);
        } catch (SyntaxError e) {
            return bad(r.tag(), e.getMessage());
        }
    }

    // ---- the commands of any state and of the not-authenticated state (RFC 9051 sections 6.1, 6.2)

    ImapAction capability(ImapRequest r) throws SyntaxError {
        r.args().end();
        return send(new Out().untagged("CAPABILITY " + capabilities()), r.tag(), "CAPABILITY completed");
    }

    /** NOOP, and CHECK (RFC 3501 section 6.4.1), which is a NOOP here: every change is durable. */
    ImapAction noop(ImapRequest r) throws SyntaxError {
        r.args().end();
        return send(updates(new Out(), true), r.tag(), r.verb() + " completed");
    }

    ImapAction logout(ImapRequest r) throws SyntaxError {
        r.args().end();
        state = State.LOGOUT;
        closeSelected();
        return new ImapAction.Close(new Out().untagged("BYE " + config.hostname() + " logging out")
                .tagged(r.tag(), "OK", "LOGOUT completed").bytes());
    }

    ImapAction startTls(ImapRequest r) throws SyntaxError {
        r.args().end();
        if (tls) return bad(r.tag(), "TLS already active");
        if (!config.tlsAvailable()) return no(r.tag(), "TLS not available");
        return new ImapAction.StartTls(new Out().tagged(r.tag(), "OK", "Begin TLS negotiation now").bytes());
    }

    ImapAction idle(ImapRequest r) throws SyntaxError {
        r.args().end();
        idleTag = r.tag();
        Out o = updates(new Out(), true).text("+ idling").crlf();
        return new ImapAction.Idle(o.bytes(), selected == null ? -1 : selected.id);
    }

    ImapAction id(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        a.sp();
        if (!a.nil()) {
            a.open();
            int n = 0;
            while (!a.peekIs(')')) {
                if (n++ > 0) a.sp();
                if (n > 60) throw new SyntaxError("Too many ID fields");
                a.string();
                a.sp();
                if (!a.nil()) a.string();
            }
            a.close();
        }
        a.end();
        // RFC 2971 allows NIL: we name no software and no version.
        return send(new Out().untagged("ID NIL"), r.tag(), "ID completed");
    }

    ImapAction enable(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        StringBuilder enabled = new StringBuilder();
        do {
            a.sp();
            String cap = a.atom().toUpperCase(Locale.ROOT);
            switch (cap) {
                case "IMAP4REV2" -> {
                    if (!rev2) enabled.append(" IMAP4rev2");
                    rev2 = true;
                    utf8 = true;
                }
                case "UTF8=ACCEPT" -> {
                    if (!utf8) enabled.append(" UTF8=ACCEPT");
                    utf8 = true;
                }
                case "CONDSTORE" -> {
                    if (!condstore) enabled.append(" CONDSTORE");
                    condstore = true;
                }
                case "QRESYNC" -> { // RFC 7162 section 3.2.3: implies CONDSTORE
                    if (!qresync) enabled.append(" QRESYNC");
                    qresync = true;
                    condstore = true;
                }
                default -> { } // RFC 5161: unknown capabilities are ignored
            }
        } while (!a.atEnd());
        return send(new Out().untagged("ENABLED" + enabled), r.tag(), "ENABLE completed");
    }

    ImapAction login(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        String tag = r.tag();
        a.sp();
        String username = a.astring();
        a.sp();
        byte[] pw = a.astringBytes();
        a.end();
        if (!tls) {
            Arrays.fill(pw, (byte) 0);
            return no(tag, "[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS");
        }
        char[] password = new String(pw, StandardCharsets.UTF_8).toCharArray();
        Arrays.fill(pw, (byte) 0);
        return finishLogin(tag, username, password);
    }

    ImapAction authenticate(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        String tag = r.tag();
        a.sp();
        String mech = a.atom().toUpperCase(Locale.ROOT);
        Optional<String> initial = Optional.empty();
        if (!a.atEnd()) {
            a.sp();
            initial = Optional.of(a.word());
        }
        a.end();
        if (!tls) return no(tag, "[PRIVACYREQUIRED] Authentication is disabled before STARTTLS");
        if (!mech.equals("PLAIN")) return no(tag, "Unsupported mechanism");
        if (initial.isEmpty()) {
            pendingAuthTag = tag;
            return new ImapAction.Continue(new Out().text("+ ").crlf().bytes());
        }
        return plain(tag, initial.get().equals("=") ? "" : initial.get());
    }

    private ImapAction authResponse(byte[] line) {
        String tag = pendingAuthTag;
        pendingAuthTag = null;
        String text = new String(line, StandardCharsets.US_ASCII);
        if (text.equals("*")) return send(new Out(), tag, "BAD", "Authentication cancelled");
        return plain(tag, text);
    }

    private ImapAction plain(String tag, String b64) {
        Optional<Credentials> c = SaslDecoder.plain(b64);
        if (c.isEmpty()) return bad(tag, "Invalid PLAIN response");
        return finishLogin(tag, c.get().username(), c.get().password());
    }

    private ImapAction finishLogin(String tag, String username, char[] password) {
        ImapBackend.LoginResult r;
        try {
            r = backend.login(peer(), username, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        return switch (r) {
            case ImapBackend.LoginResult.Success s -> {
                user = s.user();
                state = State.AUTHENTICATED;
                yield send(new Out(), tag, "OK", "[CAPABILITY " + capabilities() + "] Logged in");
            }
            case ImapBackend.LoginResult.Failure f -> {
                errors++;
                yield withErrorLimit(new Out().tagged(tag, "NO", "[AUTHENTICATIONFAILED] Invalid credentials").bytes());
            }
            case ImapBackend.LoginResult.Refused x -> no(tag, "[UNAVAILABLE] " + x.why());
        };
    }

    /** TLS is up: forget nothing (nothing was authenticated), but capabilities change. */
    public void tlsStarted(ImapBackend.Tls info) {
        tls = true;
        tlsInfo = Optional.of(info);
    }

    private ImapBackend.Peer peer() {
        return new ImapBackend.Peer(sessionId, client, tlsInfo);
    }

    /** Untagged updates of the selected mailbox (RFC 9051 section 7): EXISTS, EXPUNGE, FETCH FLAGS. */
    Out updates(Out o, boolean allowExpunge) {
        if (selected != null) selected.refresh(o, allowExpunge);
        return o;
    }

    /**
     * Called (on the store's committing thread) after each change of the selected mailbox, so an
     * idling connection can wake at once. Must only signal, never block.
     */
    public void onChange(Runnable wakeup) {
        this.wakeup = wakeup;
    }

    Runnable wakeup() {
        return wakeup;
    }

    /** While idling: the news since the last call (empty when none). */
    public byte[] idleUpdates() {
        if (selected == null || !selected.consumeChanged()) return new byte[0];
        return updates(new Out(), true).bytes();
    }

    /** The line the client sent while idling: DONE ends IDLE; anything else is an error. */
    public ImapAction idleDone(byte[] line) {
        String tag = idleTag;
        idleTag = null;
        String text = new String(line, StandardCharsets.US_ASCII);
        if (!text.equalsIgnoreCase("DONE")) return bad(tag, "Expected DONE");
        return send(updates(new Out(), true), tag, "IDLE terminated");
    }

    /** The selected mailbox's id to watch while idling, or -1. */
    void closeSelected() {
        if (selected != null) selected.close();
        selected = null;
    }

    public void connectionLost() {
        closeSelected();
        if (user != null) backend.logout(peer(), user);
        user = null;
        state = State.LOGOUT;
    }

    boolean tlsActive() {
        return tls;
    }

    // ---- reply helpers

    ImapAction send(Out o, String tag, String text) {
        return send(o, tag, "OK", text);
    }

    ImapAction send(Out o, String tag, String status, String text) {
        return new ImapAction.Send(o.tagged(tag, status, text).parts());
    }

    ImapAction no(String tag, String text) {
        return new ImapAction.Send(new Out().tagged(tag, "NO", text).bytes());
    }

    ImapAction bad(String tag, String text) {
        errors++;
        return withErrorLimit(new Out().tagged(tag, "BAD", text).bytes());
    }

    private ImapAction withErrorLimit(byte[] reply) {
        if (errors >= config.limits().maxErrors()) {
            state = State.LOGOUT;
            return new ImapAction.Close(new Out().raw(reply).untagged("BYE Too many errors").bytes());
        }
        return new ImapAction.Send(reply);
    }
}
