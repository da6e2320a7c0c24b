package moat.protocol.pop3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reason;

/**
 * What a POP3 session asks of the rest of the server. The server module implements it over the
 * directory, the mail store, the login gate and the audit log; the session never sees them.
 */
public interface Pop3Handler {

    /** Checks a password login. The session wipes the array after the call. */
    AuthResult authenticate(SessionInfo session, String username, char[] password, String mechanism);

    /** Opens and locks the user's maildrop (their INBOX). */
    MaildropResult openMaildrop(SessionInfo session, EmailAddress user);

    /** Records what happened, for the audit log. */
    void audit(SessionInfo session, AuditEvent event);

    sealed interface AuthResult {
        record Success(EmailAddress user) implements AuthResult {}

        /** Wrong user name or password (the two are not told apart). */
        record Failure() implements AuthResult {}

        /** Refused before the password was checked: too many recent failures (the login gate). */
        record Throttled() implements AuthResult {}

        /** The directory could not answer. */
        record TemporaryFailure() implements AuthResult {}
    }

    sealed interface MaildropResult {
        record Opened(Maildrop maildrop) implements MaildropResult {}

        /** Another session holds the lock (RFC 2449 [IN-USE]). */
        record InUse() implements MaildropResult {}

        record Failed(IOException cause) implements MaildropResult {}
    }

    /** Audit events. Never carries a password or an AUTH payload. */
    sealed interface AuditEvent {
        record LoginSucceeded(EmailAddress user, String mechanism) implements AuditEvent {}

        /** {@code username} as the client sent it (bounded by the line length), never the password. */
        record LoginFailed(String username, String mechanism, Reason reason) implements AuditEvent {}

        /** The UPDATE state ran: what was retrieved, deleted and left. */
        record Quit(int retrieved, int deleted, int left, boolean deletionFailed) implements AuditEvent {}

        /** The connection ended without QUIT in the TRANSACTION state: nothing was deleted. */
        record Disconnected(String why, int retrieved, int markedButKept) implements AuditEvent {}

        record Refused(String command, String response) implements AuditEvent {}
    }

    /** A snapshot of who is talking to us, for handlers and the log. */
    record SessionInfo(String sessionId, boolean implicitTlsListener, InetSocketAddress client, Optional<TlsInfo> tls,
                       Optional<EmailAddress> user) {}

    record TlsInfo(String protocol, String cipherSuite) {}
}
