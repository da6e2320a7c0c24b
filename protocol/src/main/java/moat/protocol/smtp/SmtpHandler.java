package moat.protocol.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reply;

/**
 * What an SMTP session asks of the rest of the server, one method per stage. The server module
 * implements it by running policy and then the store; the session never sees either.
 * Returning {@code Optional.empty()} from a stage means "accepted".
 *
 * <p>One handler serves one connection: a {@link Factory} opens it at accept, so the handler may
 * keep that connection's state (policy findings, the message being written) in plain fields, and
 * it is dropped with the connection. Calls come from the connection's one thread.
 */
public interface SmtpHandler {

    /** Opens the handler of one new connection. */
    @FunctionalInterface
    interface Factory {
        SmtpHandler open();
    }

    /**
     * The connection was accepted, before the greeting: connect-stage policy. A reply here is
     * sent instead of the greeting and the connection is closed.
     */
    default Optional<Reply> connected(SessionInfo session) {
        return Optional.empty();
    }

    /** HELO/EHLO policy; empty accepts the name. */
    default Optional<Reply> helo(SessionInfo session, String name) {
        return Optional.empty();
    }

    /** Checks a password login. The array is wiped by the session after the call. */
    AuthResult authenticate(SessionInfo session, String username, char[] password);

    Optional<Reply> mailFrom(SessionInfo session, Optional<EmailAddress> sender);

    Optional<Reply> rcptTo(SessionInfo session, Optional<EmailAddress> sender, EmailAddress recipient);

    /** Opens storage for a message body. The sink may already hold trace headers (Received). */
    MessageSink beginMessage(SessionInfo session, Transaction transaction) throws IOException;

    /**
     * Makes the message durable and returns the final reply (250 with the queue id, or 451).
     * {@code sink} is the one {@link #beginMessage} returned on this handler.
     */
    Outcome endMessage(SessionInfo session, Transaction transaction, MessageSink sink);

    /** The end-of-data reply and, when the message was accepted, its queue id. */
    record Outcome(Reply reply, Optional<String> queueId) {}

    /** Records what happened, for the audit log. */
    void audit(SessionInfo session, AuditEvent event);

    sealed interface AuthResult {
        record Success(EmailAddress user) implements AuthResult {}

        record Failure() implements AuthResult {}

        record TemporaryFailure() implements AuthResult {}
    }

    /** A message body being written. {@link #discard()} is idempotent. */
    interface MessageSink {
        OutputStream out();

        void discard();
    }

    /** One MAIL..end-of-data transaction as the session saw it. */
    record Transaction(Optional<EmailAddress> sender, List<RcptResult> rcpts, long declaredSize, boolean smtpUtf8,
                       String body) {
        public Transaction {
            rcpts = List.copyOf(rcpts);
        }

        public List<EmailAddress> accepted() {
            return rcpts.stream().filter(r -> r.reply().isPositive()).map(RcptResult::address).toList();
        }
    }

    record RcptResult(EmailAddress address, Reply reply) {}

    /** Audit events. Never carries a password or AUTH payload. */
    sealed interface AuditEvent {
        /** A transaction ended: accepted, refused at end of data, or abandoned. */
        record TransactionEnded(Transaction transaction, long size, Optional<String> queueId, Reply finalReply)
                implements AuditEvent {}

        /** A command outside the transaction bookkeeping was refused (AUTH, MAIL, syntax...). */
        record Refused(String command, Reply reply) implements AuditEvent {}

        record AuthSucceeded(EmailAddress user, String mechanism) implements AuditEvent {}

        record Disconnected(String why) implements AuditEvent {}
    }
}
