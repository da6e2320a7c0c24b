package moat.server.pop3;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import moat.core.EmailAddress;
import moat.core.Event;
import moat.core.PeerText;
import moat.core.Reason;
import moat.protocol.pop3.Pop3Handler;
import moat.server.audit.AuditLog;
import moat.server.limits.LoginGate;
import moat.store.Directory;
import moat.store.MailStore;
import moat.store.StoreException;

/**
 * Implements the POP3 session's needs over the directory (passwords), the login gate, the mail
 * store (maildrop) and the audit log. Holds the per-user maildrop locks of this process
 * (RFC 1939 section 8: one POP3 session per maildrop at a time).
 *
 * <p>LIMITATION: the lock is per process; in cluster mode two nodes could each serve a POP3
 * session for the same user. Deletions stay safe (expunge by UID is idempotent).
 */
public final class Pop3Backend implements Pop3Handler {
    private final Directory directory;
    private final MailStore store;
    private final LoginGate gate;
    private final AuditLog audit;
    private final Set<String> locked = ConcurrentHashMap.newKeySet();

    public Pop3Backend(Directory directory, MailStore store, LoginGate gate, AuditLog audit) {
        this.directory = directory;
        this.store = store;
        this.gate = gate;
        this.audit = audit;
    }

    @Override
    public AuthResult authenticate(SessionInfo session, String username, char[] password, String mechanism) {
        var ip = session.client().getAddress();
        if (!gate.permits(ip, username)) return new AuthResult.Throttled();
        Optional<EmailAddress> user;
        try {
            user = directory.authenticate(username, password);
        } catch (StoreException e) {
            return new AuthResult.TemporaryFailure();
        }
        if (user.isEmpty()) {
            gate.failed(ip, username);
            return new AuthResult.Failure();
        }
        gate.succeeded(ip, username);
        return new AuthResult.Success(user.get());
    }

    @Override
    public MaildropResult openMaildrop(SessionInfo session, EmailAddress user) {
        String key = user.key();
        if (!locked.add(key)) return new MaildropResult.InUse();
        return new MaildropResult.Opened(new StoreMaildrop(store, user, () -> locked.remove(key)));
    }

    /** Events are named pop3.*; fields are flat so the log stays greppable. */
    @Override
    public void audit(SessionInfo s, AuditEvent event) {
        Map<String, Object> m = base(s);
        Event name = switch (event) {
            case AuditEvent.LoginSucceeded e -> {
                m.put("mechanism", e.mechanism());
                yield Event.POP3_LOGIN;
            }
            case AuditEvent.LoginFailed e -> {
                m.put("username", PeerText.line(e.username(), PeerText.WORD_MAX)); // as typed: no line breaker, bounded
                m.put("mechanism", e.mechanism());
                m.put("reason", e.reason().id());
                yield Event.POP3_LOGIN_FAILED;
            }
            case AuditEvent.Quit e -> {
                m.put("retrieved", e.retrieved());
                m.put("deleted", e.deleted());
                m.put("left", e.left());
                if (e.deletionFailed()) m.put("reason", Reason.STORE_EXPUNGE_FAILED.id());
                yield Event.POP3_QUIT;
            }
            case AuditEvent.Disconnected e -> {
                m.put("why", e.why());
                m.put("retrieved", e.retrieved());
                m.put("marked_not_deleted", e.markedButKept());
                yield Event.POP3_DISCONNECT;
            }
            case AuditEvent.Refused e -> {
                m.put("command", e.command());
                m.put("response", e.response());
                yield Event.POP3_REJECTED;
            }
        };
        audit.event(name, m);
    }

    void connected(SessionInfo s) {
        audit.event(Event.POP3_CONNECT, base(s));
    }

    private static Map<String, Object> base(SessionInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", s.sessionId());
        m.put("listener", s.implicitTlsListener() ? "pop3s" : "pop3");
        m.put("client_ip", s.client().getAddress().getHostAddress());
        m.put("client_port", s.client().getPort());
        s.tls().ifPresent(t -> {
            m.put("tls_version", t.protocol());
            m.put("tls_cipher", t.cipherSuite());
        });
        s.user().ifPresent(u -> m.put("user", u.toString()));
        return m;
    }

    /** For tests and diagnostics. */
    boolean isLocked(EmailAddress user) {
        return locked.contains(user.key());
    }
}
