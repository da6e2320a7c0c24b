package moat.server.smtp;

import java.io.IOException;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reply;
import moat.protocol.smtp.SessionInfo;
import moat.protocol.smtp.SmtpHandler;
import moat.server.limits.ConnectionGate;

/**
 * Adds the per-client message and recipient rates (anvil's "message" and "recipient" requests)
 * in front of another handler, so that the policy checks in {@link DeliveryHandler} stay
 * unaware of them. Over the rate, MAIL or RCPT is deferred with 451 4.7.1: a legitimate sender
 * retries later, nothing is refused for good.
 *
 * <p>MAIL is counted only once the inner handler accepted it (a refused sender is no message);
 * RCPT is counted before, so a client harvesting addresses pays for every guess and the directory
 * is not even asked once it is over the rate.
 */
final class RateLimitingHandler implements SmtpHandler {
    private final SmtpHandler inner;
    private final ConnectionGate gate;

    RateLimitingHandler(SmtpHandler inner, ConnectionGate gate) {
        this.inner = inner;
        this.gate = gate;
    }

    @Override
    public Optional<Reply> connected(SessionInfo session) {
        return inner.connected(session);
    }

    @Override
    public Optional<Reply> helo(SessionInfo session, String name) {
        return inner.helo(session, name);
    }

    @Override
    public AuthResult authenticate(SessionInfo session, String username, char[] password) {
        return inner.authenticate(session, username, password);
    }

    @Override
    public Optional<Reply> mailFrom(SessionInfo session, Optional<EmailAddress> sender) {
        Optional<Reply> refused = inner.mailFrom(session, sender);
        if (refused.isPresent()) return refused;
        return gate.countMessage(session.client().getAddress()).map(Reply::of);
    }

    @Override
    public Optional<Reply> rcptTo(SessionInfo session, Optional<EmailAddress> sender, EmailAddress recipient) {
        Optional<Reply> over = gate.countRecipient(session.client().getAddress()).map(Reply::of);
        return over.isPresent() ? over : inner.rcptTo(session, sender, recipient);
    }

    @Override
    public MessageSink beginMessage(SessionInfo session, Transaction transaction) throws IOException {
        return inner.beginMessage(session, transaction);
    }

    @Override
    public Outcome endMessage(SessionInfo session, Transaction transaction, MessageSink sink) {
        return inner.endMessage(session, transaction, sink);
    }

    @Override
    public void audit(SessionInfo session, AuditEvent event) {
        inner.audit(session, event);
    }
}
