package moat.protocol.imap;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import moat.core.EmailAddress;
import moat.protocol.sasl.Credentials;
import moat.protocol.sasl.SaslDecoder;

/**
 * One IMAP server session as a state machine (RFC 9051, serving RFC 3501 clients too). The I/O
 * layer hands it complete commands (literals inline) and performs the returned
 * {@link ImapAction}s. Not thread-safe except {@link SelectedMailbox#changed}, which the store's
 * notifier sets from another thread.
 *
 * <p>Preconditions sit in one table ({@link #allowed}); mailbox commands are in
 * {@link MailboxCommands}, message commands in {@link MessageCommands}.
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
    private final MailboxCommands mailboxes;
    private final MessageCommands messages;
    private final QuotaCommands quotas;
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
        String verb = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
        if (verb.equals("UID") && words.length > 2) verb = words[2].toUpperCase(Locale.ROOT);
        long max = !authenticated() ? 1024 : verb.equals("APPEND") ? config.limits().maxLiteral()
                : config.limits().maxOtherLiteral();
        if (size > max) {
            errors++;
            String code = verb.equals("APPEND") ? "[TOOBIG] " : "";
            byte[] reply = new Out().tagged(tag, verb.equals("APPEND") ? "NO" : "BAD",
                    code + "Literal too large (max " + max + " octets)").bytes();
            if (nonSync) reply = new Out().text(new String(reply, StandardCharsets.US_ASCII))
                    .untagged("BYE Literal too large").bytes();
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
        Args a = new Args(command, config.limits().maxNesting());
        String tag;
        try {
            tag = a.tag();
        } catch (SyntaxError e) {
            errors++;
            return withErrorLimit(new Out().untagged("BAD Missing or invalid tag").bytes());
        }
        String verb;
        try {
            a.sp();
            verb = a.atom().toUpperCase(Locale.ROOT);
        } catch (SyntaxError e) {
            errors++;
            return withErrorLimit(new Out().tagged(tag, "BAD", "Missing command").bytes());
        }
        boolean uid = verb.equals("UID");
        if (uid) {
            try {
                a.sp();
                verb = a.atom().toUpperCase(Locale.ROOT);
            } catch (SyntaxError e) {
                errors++;
                return withErrorLimit(new Out().tagged(tag, "BAD", "UID needs a command").bytes());
            }
            if (!Set.of("FETCH", "STORE", "SEARCH", "COPY", "MOVE", "EXPUNGE").contains(verb))
                return bad(tag, "Unknown UID command");
        }
        Optional<Set<State>> states = allowed(verb);
        if (states.isEmpty()) return bad(tag, "Unknown command");
        if (!states.get().contains(state))
            return new ImapAction.Send(new Out().tagged(tag, "BAD", "Command not allowed now").bytes());
        try {
            return dispatch(tag, verb, uid, a);
        } catch (SyntaxError e) {
            return bad(tag, e.getMessage());
        }
    }

    /** The command table: which states allow each command (RFC 9051 section 6). */
    private static Optional<Set<State>> allowed(String verb) {
        Set<State> any = EnumSet.of(State.NOT_AUTHENTICATED, State.AUTHENTICATED, State.SELECTED);
        Set<State> auth = EnumSet.of(State.AUTHENTICATED, State.SELECTED);
        Set<State> sel = EnumSet.of(State.SELECTED);
        return Optional.ofNullable(switch (verb) {
            case "CAPABILITY", "NOOP", "LOGOUT", "ID" -> any;
            case "STARTTLS", "LOGIN", "AUTHENTICATE" -> EnumSet.of(State.NOT_AUTHENTICATED);
            case "SELECT", "EXAMINE", "LIST", "LSUB", "STATUS", "CREATE", "DELETE", "RENAME", "SUBSCRIBE",
                 "UNSUBSCRIBE", "NAMESPACE", "ENABLE", "IDLE", "APPEND", "GETQUOTA", "GETQUOTAROOT", "SETQUOTA" -> auth;
            case "FETCH", "STORE", "SEARCH", "COPY", "MOVE", "EXPUNGE", "CLOSE", "UNSELECT", "CHECK" -> sel;
            default -> null;
        });
    }

    private ImapAction dispatch(String tag, String verb, boolean uid, Args a) throws SyntaxError {
        return switch (verb) {
            case "CAPABILITY" -> {
                a.end();
                yield send(new Out().untagged("CAPABILITY " + capabilities()), tag, "CAPABILITY completed");
            }
            case "NOOP", "CHECK" -> { // CHECK: RFC 3501 section 6.4.1, a NOOP here (every change is durable)
                a.end();
                yield send(updates(true), tag, verb + " completed");
            }
            case "LOGOUT" -> {
                a.end();
                state = State.LOGOUT;
                closeSelected();
                yield new ImapAction.Close(new Out().untagged("BYE " + config.hostname() + " logging out")
                        .tagged(tag, "OK", "LOGOUT completed").bytes());
            }
            case "ID" -> id(tag, a);
            case "STARTTLS" -> {
                a.end();
                if (tls) yield bad(tag, "TLS already active");
                if (!config.tlsAvailable()) yield no(tag, "TLS not available");
                yield new ImapAction.StartTls(new Out().tagged(tag, "OK", "Begin TLS negotiation now").bytes());
            }
            case "LOGIN" -> login(tag, a);
            case "AUTHENTICATE" -> authenticate(tag, a);
            case "ENABLE" -> enable(tag, a);
            case "IDLE" -> {
                a.end();
                idleTag = tag;
                Out o = updates(true).text("+ idling").crlf();
                yield new ImapAction.Idle(o.bytes(), selected == null ? -1 : selected.id);
            }
            case "SELECT", "EXAMINE", "LIST", "LSUB", "STATUS", "CREATE", "DELETE", "RENAME", "SUBSCRIBE",
                 "UNSUBSCRIBE", "NAMESPACE", "APPEND" -> mailboxes.handle(tag, verb, a);
            case "GETQUOTA", "GETQUOTAROOT", "SETQUOTA" -> quotas.handle(tag, verb, a);
            default -> messages.handle(tag, verb, uid, a);
        };
    }

    private ImapAction id(String tag, Args a) throws SyntaxError {
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
        return send(new Out().untagged("ID NIL"), tag, "ID completed");
    }

    private ImapAction enable(String tag, Args a) throws SyntaxError {
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
        return send(new Out().untagged("ENABLED" + enabled), tag, "ENABLE completed");
    }

    private ImapAction login(String tag, Args a) throws SyntaxError {
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

    private ImapAction authenticate(String tag, Args a) throws SyntaxError {
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
    Out updates(boolean allowExpunge) {
        Out o = new Out();
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
        return updates(true).bytes();
    }

    /** The line the client sent while idling: DONE ends IDLE; anything else is an error. */
    public ImapAction idleDone(byte[] line) {
        String tag = idleTag;
        idleTag = null;
        String text = new String(line, StandardCharsets.US_ASCII);
        if (!text.equalsIgnoreCase("DONE")) return bad(tag, "Expected DONE");
        return send(updates(true), tag, "IDLE terminated");
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
            return new ImapAction.Close(new Out().text(new String(reply, StandardCharsets.UTF_8))
                    .untagged("BYE Too many errors").bytes());
        }
        return new ImapAction.Send(reply);
    }
}
