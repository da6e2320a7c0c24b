package moat.protocol.imap;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import moat.protocol.imap.ImapSession.State;

/**
 * The command table (RFC 9051 section 6 and the extensions named in the package manual): each
 * command with the states that allow it, whether UID may prefix it (RFC 9051 section 6.4.9,
 * RFC 4315 UID EXPUNGE), the capability that advertises it and its handler. The only place a
 * verb is looked up: {@link ImapRequest#parse} turns the wire name into a constant once, and
 * {@link ImapSession} checks the state here before it calls {@link #handler}.
 *
 * <p>The names of the constants are the verbs on the wire (the tagged OK of NOOP and CHECK
 * repeats them).
 */
enum ImapCommand {
    // any state (RFC 9051 section 6.1)
    CAPABILITY(In.ANY, Uid.NO, "", ImapSession::capability),
    NOOP(In.ANY, Uid.NO, "", ImapSession::noop),
    LOGOUT(In.ANY, Uid.NO, "", ImapSession::logout),
    ID(In.ANY, Uid.NO, "ID", ImapSession::id),

    // not authenticated (section 6.2)
    STARTTLS(In.NOT_AUTHENTICATED, Uid.NO, "STARTTLS", ImapSession::startTls),
    LOGIN(In.NOT_AUTHENTICATED, Uid.NO, "", ImapSession::login),
    AUTHENTICATE(In.NOT_AUTHENTICATED, Uid.NO, "AUTH=PLAIN", ImapSession::authenticate),

    // authenticated (section 6.3), also allowed when a mailbox is selected
    ENABLE(In.AUTHENTICATED, Uid.NO, "ENABLE", ImapSession::enable),
    IDLE(In.AUTHENTICATED, Uid.NO, "IDLE", ImapSession::idle),
    SELECT(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.select(r, false)),
    EXAMINE(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.select(r, true)),
    CREATE(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.change(r)),
    DELETE(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.change(r)),
    RENAME(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.rename(r)),
    SUBSCRIBE(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.change(r)),
    UNSUBSCRIBE(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.change(r)),
    LIST(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.list(r, false)),
    LSUB(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.list(r, true)),
    NAMESPACE(In.AUTHENTICATED, Uid.NO, "NAMESPACE", (s, r) -> s.mailboxes.namespace(r)),
    STATUS(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.status(r)),
    APPEND(In.AUTHENTICATED, Uid.NO, "", (s, r) -> s.mailboxes.append(r)),
    GETQUOTA(In.AUTHENTICATED, Uid.NO, "QUOTA", (s, r) -> s.quotas.getQuota(r)),
    GETQUOTAROOT(In.AUTHENTICATED, Uid.NO, "QUOTA", (s, r) -> s.quotas.getQuotaRoot(r)),
    SETQUOTA(In.AUTHENTICATED, Uid.NO, "QUOTA", (s, r) -> s.quotas.setQuota(r)),

    // selected (section 6.4)
    CHECK(In.SELECTED, Uid.NO, "", ImapSession::noop), // RFC 3501 section 6.4.1: a NOOP here (every change is durable)
    CLOSE(In.SELECTED, Uid.NO, "", (s, r) -> s.messages.close(r)),
    UNSELECT(In.SELECTED, Uid.NO, "UNSELECT", (s, r) -> s.messages.close(r)),
    EXPUNGE(In.SELECTED, Uid.YES, "", (s, r) -> s.messages.expunge(r)), // UID EXPUNGE: UIDPLUS
    SEARCH(In.SELECTED, Uid.YES, "", (s, r) -> s.search.search(r)),
    FETCH(In.SELECTED, Uid.YES, "", (s, r) -> FetchCommand.run(s, r)),
    STORE(In.SELECTED, Uid.YES, "", (s, r) -> s.messages.store(r)),
    COPY(In.SELECTED, Uid.YES, "", (s, r) -> s.messages.copy(r, false)),
    MOVE(In.SELECTED, Uid.YES, "MOVE", (s, r) -> s.messages.copy(r, true));

    /** Runs one parsed command; a {@link SyntaxError} becomes a tagged BAD. */
    @FunctionalInterface
    interface Handler {
        ImapAction handle(ImapSession session, ImapRequest request) throws SyntaxError;
    }

    /** The states a command is allowed in (RFC 9051 section 3). */
    enum In {
        ANY(EnumSet.of(State.NOT_AUTHENTICATED, State.AUTHENTICATED, State.SELECTED)),
        NOT_AUTHENTICATED(EnumSet.of(State.NOT_AUTHENTICATED)),
        AUTHENTICATED(EnumSet.of(State.AUTHENTICATED, State.SELECTED)),
        SELECTED(EnumSet.of(State.SELECTED));

        final Set<State> states;

        In(Set<State> states) {
            this.states = states;
        }
    }

    /** Whether "UID" may prefix the command. */
    enum Uid { YES, NO }

    private final In in;
    private final Uid uid;
    private final String capability;
    private final Handler handler;

    ImapCommand(In in, Uid uid, String capability, Handler handler) {
        this.in = in;
        this.uid = uid;
        this.capability = capability;
        this.handler = handler;
    }

    private static final Map<String, ImapCommand> BY_NAME = new HashMap<>();

    static {
        for (ImapCommand c : values()) BY_NAME.put(c.name(), c);
    }

    /** The command with this name on the wire (any case), if Moat knows it. */
    static Optional<ImapCommand> named(String verb) {
        return Optional.ofNullable(BY_NAME.get(verb.toUpperCase(Locale.ROOT)));
    }

    boolean allowedIn(State state) {
        return in.states.contains(state);
    }

    Set<State> states() {
        return in.states;
    }

    boolean takesUid() {
        return uid == Uid.YES;
    }

    /** The capability that advertises the command; empty for a command of the base protocol. */
    Optional<String> capability() {
        return capability.isEmpty() ? Optional.empty() : Optional.of(capability);
    }

    Handler handler() {
        return handler;
    }

    /** APPEND carries a message: its literal is bounded by APPENDLIMIT, others' by a smaller bound. */
    boolean takesMessage() {
        return this == APPEND;
    }
}
