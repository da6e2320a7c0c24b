package moat.protocol.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.protocol.pop3.Pop3Handler.AuditEvent;
import moat.protocol.pop3.Pop3Handler.AuthResult;
import moat.protocol.pop3.Pop3Handler.MaildropResult;
import moat.protocol.pop3.Pop3Handler.SessionInfo;
import moat.protocol.pop3.Pop3Handler.TlsInfo;
import moat.protocol.pop3.Response.Code;
import moat.protocol.sasl.Credentials;
import moat.protocol.sasl.SaslDecoder;

/**
 * One POP3 server session as a state machine (RFC 1939 section 3: AUTHORIZATION, TRANSACTION,
 * UPDATE). The I/O layer feeds it command lines and performs the {@link Action}s it returns.
 * Not thread-safe: one session belongs to one connection.
 *
 * <p>Which command is allowed in which state is decided in one place, {@link #dispatch}.
 * Deletions are only marks until QUIT in the TRANSACTION state (RFC 1939 section 6); a lost
 * connection deletes nothing ({@link #connectionLost}).
 */
public final class Pop3Session {
    /** Fixed facts of this listener. */
    public record Config(String hostname, Pop3Limits limits, boolean implicitTlsListener) {}

    private enum State { AUTHORIZATION, TRANSACTION, UPDATE }

    private final Config config;
    private final Pop3Handler handler;
    private final String sessionId;
    private final InetSocketAddress client;

    private State state = State.AUTHORIZATION;
    private Optional<TlsInfo> tls;
    private Optional<String> userName = Optional.empty(); // from USER, awaiting PASS
    private boolean awaitingPlainResponse; // AUTH PLAIN without initial response
    private Optional<EmailAddress> user = Optional.empty();
    private Maildrop maildrop;
    private List<Maildrop.Entry> entries = List.of();
    private boolean[] deleted = new boolean[0];
    private int retrieved;
    private int authFailures;
    private int errors;
    private boolean closed;

    public Pop3Session(Config config, Pop3Handler handler, String sessionId, InetSocketAddress client,
                       Optional<TlsInfo> implicitTls) {
        this.config = config;
        this.handler = handler;
        this.sessionId = sessionId;
        this.client = client;
        this.tls = implicitTls;
    }

    /** RFC 1939 section 4: the host name only; no software, no version, no APOP timestamp. */
    public Response greeting() {
        return Response.ok(config.hostname() + " POP3 ready");
    }

    public SessionInfo info() {
        return new SessionInfo(sessionId, config.implicitTlsListener(), client, tls, user);
    }

    /** A raw command line without its line ending. */
    public Action onLine(byte[] line, int length) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line, 0, length)).toString();
        } catch (CharacterCodingException e) {
            return error("?", Response.err("Command is not valid UTF-8"));
        }
        if (text.indexOf('\r') >= 0 || text.indexOf('\0') >= 0 || text.chars().anyMatch(c -> c < 0x20 && c != '\t'))
            return error("?", Response.err("Control characters in command line"));
        if (awaitingPlainResponse) {
            awaitingPlainResponse = false;
            if (text.equals("*")) return error("AUTH", Response.err("Authentication cancelled")); // RFC 5034 section 4
            return plain(text);
        }
        return switch (CommandParser.parse(text)) {
            case CommandParser.Result.Ok ok -> dispatch(ok.command());
            case CommandParser.Result.Error err -> error(verbOf(text), err.response());
        };
    }

    /** The command line was longer than the limit (the I/O layer skipped it). */
    public Action onLineTooLong() {
        awaitingPlainResponse = false;
        return error("?", Response.err("Line too long"));
    }

    private Action dispatch(Command command) {
        boolean authz = state == State.AUTHORIZATION;
        boolean trans = state == State.TRANSACTION;
        return switch (command) {
            case Command.Capa c -> send(Response.ok("Capability list follows", capabilities()));
            case Command.Noop n -> trans ? send(Response.ok("")) : sequence("NOOP");
            case Command.Quit q -> quit();
            case Command.Stls s -> {
                if (!authz) yield sequence("STLS");
                if (tls.isPresent()) yield error("STLS", Response.err("TLS already active"));
                userName = Optional.empty();
                yield new Action.StartTls(Response.ok("Begin TLS negotiation"));
            }
            case Command.User u -> {
                if (!authz) yield sequence("USER");
                if (tls.isEmpty()) yield tlsRequired("USER");
                userName = Optional.of(u.name());
                // Same answer for every name: USER must not tell which accounts exist.
                yield send(Response.ok("Send PASS"));
            }
            case Command.Pass p -> {
                if (!authz) yield sequence("PASS");
                if (tls.isEmpty()) yield tlsRequired("PASS");
                if (userName.isEmpty()) yield error("PASS", Response.err("Send USER first"));
                String name = userName.get();
                userName = Optional.empty();
                yield login(name, p.password().toCharArray(), "USER");
            }
            case Command.Auth a -> auth(a);
            case Command.Stat s -> trans ? stat() : sequence("STAT");
            case Command.List l -> trans ? list(l.msg()) : sequence("LIST");
            case Command.Uidl u -> trans ? uidl(u.msg()) : sequence("UIDL");
            case Command.Retr r -> trans ? retrieve("RETR", r.msg(), MessageEncoder.retr()) : sequence("RETR");
            case Command.Top t -> trans ? retrieve("TOP", t.msg(), MessageEncoder.top(t.lines())) : sequence("TOP");
            case Command.Dele d -> trans ? dele(d.msg()) : sequence("DELE");
            case Command.Rset r -> {
                if (!trans) yield sequence("RSET");
                java.util.Arrays.fill(deleted, false);
                yield send(Response.ok("Maildrop has " + live() + " messages (" + liveOctets() + " octets)"));
            }
        };
    }

    /** RFC 2449 section 5; USER and SASL only where a password may be sent (RFC 2595 section 4). */
    private List<String> capabilities() {
        List<String> caps = new ArrayList<>(List.of("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"));
        if (state == State.AUTHORIZATION) {
            if (tls.isEmpty()) caps.add("STLS");
            else {
                caps.add("USER");
                caps.add("SASL PLAIN");
            }
        }
        return caps;
    }

    private Action auth(Command.Auth a) {
        if (state != State.AUTHORIZATION) return sequence("AUTH");
        if (tls.isEmpty()) return tlsRequired("AUTH");
        if (a.mechanism().isEmpty()) return send(Response.ok("Mechanisms follow", List.of("PLAIN"))); // RFC 1734 form
        if (!a.mechanism().get().equals("PLAIN")) return error("AUTH", Response.err("Unsupported mechanism; use PLAIN"));
        if (a.initialResponse().isEmpty()) {
            awaitingPlainResponse = true;
            return new Action.Continue(""); // PLAIN has no challenge: "+ " and wait
        }
        // RFC 5034 section 4: "=" is an empty initial response.
        return plain(a.initialResponse().get().equals("=") ? "" : a.initialResponse().get());
    }

    private Action plain(String response) {
        Optional<Credentials> creds = SaslDecoder.plain(response);
        if (creds.isEmpty()) return authFailed("(unparsable)", "PLAIN", Reason.SYNTAX_PARAMETER, Response.err(Code.AUTH, "Malformed PLAIN response"));
        return login(creds.get().username(), creds.get().password(), "PLAIN");
    }

    private Action login(String name, char[] password, String mechanism) {
        AuthResult result;
        try {
            result = handler.authenticate(info(), name, password, mechanism);
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
        return switch (result) {
            case AuthResult.Success s -> openMaildrop(s.user(), mechanism);
            case AuthResult.Failure f -> authFailed(name, mechanism, Reason.AUTH_FAILED,
                    Response.err(Code.AUTH, "Authentication failed"));
            case AuthResult.Throttled t -> authFailed(name, mechanism, Reason.AUTH_LOCKED,
                    Response.err(Code.AUTH, "Too many failed logins; try again later"));
            case AuthResult.TemporaryFailure t -> {
                handler.audit(info(), new AuditEvent.LoginFailed(name, mechanism, Reason.AUTH_TEMP));
                yield error(mechanism, Response.err(Code.SYS_TEMP, "Cannot check credentials now; try again later"));
            }
        };
    }

    private Action openMaildrop(EmailAddress who, String mechanism) {
        switch (handler.openMaildrop(info(), who)) {
            case MaildropResult.InUse u -> {
                handler.audit(info(), new AuditEvent.LoginFailed(who.toString(), mechanism, Reason.MAILDROP_IN_USE));
                return error(mechanism, Response.err(Code.IN_USE, "Maildrop is in use by another session"));
            }
            case MaildropResult.Failed f -> {
                handler.audit(info(), new AuditEvent.LoginFailed(who.toString(), mechanism, Reason.STORE_FAILED));
                return error(mechanism, Response.err(Code.SYS_TEMP, "Maildrop unavailable; try again later"));
            }
            case MaildropResult.Opened o -> {
                List<Maildrop.Entry> list;
                try {
                    list = List.copyOf(o.maildrop().entries());
                } catch (IOException e) {
                    o.maildrop().release();
                    handler.audit(info(), new AuditEvent.LoginFailed(who.toString(), mechanism, Reason.STORE_FAILED));
                    return error(mechanism, Response.err(Code.SYS_TEMP, "Maildrop unavailable; try again later"));
                }
                maildrop = o.maildrop();
                entries = list;
                deleted = new boolean[list.size()];
                user = Optional.of(who);
                state = State.TRANSACTION;
                handler.audit(info(), new AuditEvent.LoginSucceeded(who, mechanism));
                return send(Response.ok("Maildrop has " + live() + " messages (" + liveOctets() + " octets)"));
            }
        }
    }

    private Action authFailed(String name, String mechanism, Reason reason, Response r) {
        authFailures++;
        handler.audit(info(), new AuditEvent.LoginFailed(name, mechanism, reason));
        if (authFailures >= config.limits().maxAuthFailures()) {
            closed = true;
            return new Action.Close(Response.err(Code.AUTH, "Too many failed logins; closing"));
        }
        return error(mechanism, r);
    }

    private Action stat() {
        return send(Response.ok(live() + " " + liveOctets()));
    }

    private Action list(OptionalLong msg) {
        if (msg.isPresent()) {
            Lookup l = lookup(msg.getAsLong());
            return switch (l) {
                case Lookup.Found f -> send(Response.ok(msg.getAsLong() + " " + f.entry().size()));
                case Lookup.Missing m -> error("LIST", m.response());
            };
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) if (!deleted[i]) lines.add((i + 1) + " " + entries.get(i).size());
        return send(Response.ok(live() + " messages (" + liveOctets() + " octets)", lines));
    }

    private Action uidl(OptionalLong msg) {
        if (msg.isPresent()) {
            return switch (lookup(msg.getAsLong())) {
                case Lookup.Found f -> send(Response.ok(msg.getAsLong() + " " + f.entry().uniqueId()));
                case Lookup.Missing m -> error("UIDL", m.response());
            };
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) if (!deleted[i]) lines.add((i + 1) + " " + entries.get(i).uniqueId());
        return send(Response.ok("Unique-ID listing follows", lines));
    }

    private Action retrieve(String verb, long msg, MessageEncoder encoder) {
        return switch (lookup(msg)) {
            case Lookup.Missing m -> error(verb, m.response());
            case Lookup.Found f -> {
                InputStream body;
                try {
                    body = maildrop.open(f.entry());
                } catch (IOException e) {
                    yield error(verb, Response.err(Code.SYS_TEMP, "Message cannot be read now"));
                }
                if (verb.equals("RETR")) retrieved++;
                yield new Action.SendMessage(Response.ok(verb.equals("RETR") ? f.entry().size() + " octets" : "Top of message follows"),
                        body, encoder);
            }
        };
    }

    private Action dele(long msg) {
        return switch (lookup(msg)) {
            case Lookup.Missing m -> error("DELE", m.response());
            case Lookup.Found f -> {
                deleted[f.index()] = true;
                yield send(Response.ok("Message " + msg + " deleted"));
            }
        };
    }

    private sealed interface Lookup {
        record Found(int index, Maildrop.Entry entry) implements Lookup {}

        record Missing(Response response) implements Lookup {}
    }

    private Lookup lookup(long msg) {
        if (msg < 1 || msg > entries.size()) return new Lookup.Missing(Response.err("No such message"));
        int i = (int) (msg - 1);
        if (deleted[i]) return new Lookup.Missing(Response.err("Message " + msg + " already deleted"));
        return new Lookup.Found(i, entries.get(i));
    }

    /** QUIT: in TRANSACTION, enter UPDATE and remove the marked messages (RFC 1939 section 6). */
    private Action quit() {
        closed = true;
        if (state != State.TRANSACTION) return new Action.Close(Response.ok(config.hostname() + " signing off"));
        state = State.UPDATE;
        List<Maildrop.Entry> gone = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) if (deleted[i]) gone.add(entries.get(i));
        boolean failed = false;
        if (!gone.isEmpty()) {
            try {
                maildrop.delete(gone);
            } catch (IOException e) {
                failed = true;
            }
        }
        releaseMaildrop();
        int left = entries.size() - gone.size();
        handler.audit(info(), new AuditEvent.Quit(retrieved, failed ? 0 : gone.size(), failed ? entries.size() : left, failed));
        if (failed) return new Action.Close(Response.err(Code.SYS_TEMP, "Some deleted messages not removed"));
        return new Action.Close(Response.ok(config.hostname() + " signing off (" + left + " messages left)"));
    }

    /** TLS handshake finished: forget everything said before it (RFC 2595 section 4). */
    public void tlsStarted(TlsInfo info) {
        tls = Optional.of(info);
        userName = Optional.empty();
        awaitingPlainResponse = false;
    }

    /** The connection broke, timed out or hit a limit: nothing is deleted. Idempotent. */
    public void connectionLost(String why) {
        if (state == State.TRANSACTION) {
            int marked = 0;
            for (boolean d : deleted) if (d) marked++;
            handler.audit(info(), new AuditEvent.Disconnected(why, retrieved, marked));
            state = State.UPDATE; // never reached through QUIT: no deletions
        }
        releaseMaildrop();
        closed = true;
    }

    private void releaseMaildrop() {
        if (maildrop != null) maildrop.release();
        maildrop = null;
    }

    public Response sessionTooLongResponse() {
        return Response.err("Session time limit reached; closing");
    }

    public boolean closed() {
        return closed;
    }

    private int live() {
        int n = 0;
        for (boolean d : deleted) if (!d) n++;
        return n;
    }

    private long liveOctets() {
        long n = 0;
        for (int i = 0; i < entries.size(); i++) if (!deleted[i]) n += entries.get(i).size();
        return n;
    }

    private static Action send(Response r) {
        return new Action.Send(r);
    }

    private Action sequence(String verb) {
        return error(verb, Response.err(verb + " not allowed in the " + state.name() + " state"));
    }

    private Action tlsRequired(String verb) {
        // RFC 2595 section 4 / RFC 8314: no password over plaintext, not even a user name.
        return error(verb, Response.err(Code.AUTH, "TLS required: use STLS first"));
    }

    /** A refused command: counted toward the error limit and logged. */
    private Action error(String verb, Response r) {
        handler.audit(info(), new AuditEvent.Refused(verb, r.statusLine()));
        errors++;
        if (errors >= config.limits().maxErrors()) {
            closed = true;
            return new Action.Close(Response.err("Too many errors; closing"));
        }
        return new Action.Send(r);
    }

    private static String verbOf(String line) {
        int sp = line.indexOf(' ');
        String v = sp < 0 ? line : line.substring(0, sp);
        return v.length() > 8 || !v.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')
                ? "?" : v.toUpperCase(Locale.ROOT);
    }
}
