package moat.protocol.smtp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.core.Reply;
import moat.protocol.smtp.SmtpHandler.MessageSink;
import moat.protocol.smtp.SmtpHandler.RcptResult;
import moat.protocol.smtp.SmtpHandler.Transaction;

/** MAIL, RCPT, DATA and BDAT of one transaction (RFC 5321 section 3.3, RFC 3030). */
final class MailTransaction {
    private final SmtpSession session;
    private Optional<EmailAddress> sender = Optional.empty();
    private boolean smtpUtf8;
    private long declaredSize;
    private String body = "7BIT";
    private final List<RcptResult> rcpts = new ArrayList<>();
    private final Set<String> acceptedKeys = new HashSet<>();
    private MessageSink sink;
    private DataDecoder decoder;
    private boolean lastChunk;

    MailTransaction(SmtpSession session) {
        this.session = session;
    }

    Reply mail(SmtpCommand.Mail m) {
        for (Map.Entry<String, String> p : m.params().entrySet()) {
            String v = p.getValue();
            switch (p.getKey()) {
                case "SIZE" -> { // RFC 1870
                    if (!v.matches("[0-9]{1,18}")) return Reply.of(Reason.SYNTAX_PARAMETER, "Bad SIZE value");
                    declaredSize = Long.parseLong(v);
                    if (declaredSize > session.limits().maxMessageSize()) return Reply.of(Reason.MESSAGE_TOO_LARGE);
                }
                case "BODY" -> { // RFC 6152
                    String b = v.toUpperCase(Locale.ROOT);
                    if (!b.equals("7BIT") && !b.equals("8BITMIME")) return Reply.of(Reason.PARAMETER_UNKNOWN, "BODY=" + v + " not supported");
                    body = b;
                }
                case "SMTPUTF8" -> { // RFC 6531 section 3.4: no value
                    if (!v.isEmpty()) return Reply.of(Reason.SYNTAX_PARAMETER, "SMTPUTF8 takes no value");
                    smtpUtf8 = true;
                }
                case "AUTH" -> { } // RFC 4954 section 5: accepted; we do not trust a client's claim of original submitter
                default -> {
                    return Reply.of(Reason.PARAMETER_UNKNOWN, "Parameter " + p.getKey() + " not supported");
                }
            }
        }
        switch (PathParser.reversePath(m.path(), smtpUtf8)) {
            case PathParser.Result.Error e -> {
                return e.reply();
            }
            case PathParser.Result.Ok ok -> sender = ok.address();
        }
        Optional<Reply> refused = session.handler().mailFrom(session.info(), sender);
        return refused.orElse(Reply.of(250, "2.1.0", "Sender OK"));
    }

    Reply rcpt(SmtpCommand.Rcpt r) {
        if (!r.params().isEmpty()) return Reply.of(Reason.PARAMETER_UNKNOWN, "RCPT parameters not supported");
        if (sink != null) return Reply.of(Reason.SEQUENCE, "RCPT after BDAT");
        EmailAddress rcpt;
        switch (PathParser.forwardPath(r.path(), smtpUtf8, session.config().hostname())) {
            case PathParser.Result.Error e -> {
                return e.reply();
            }
            case PathParser.Result.Ok ok -> rcpt = ok.address().orElseThrow();
        }
        if (acceptedKeys.contains(rcpt.key())) return Reply.of(250, "2.1.5", "Recipient OK (duplicate)");
        if (acceptedKeys.size() >= session.limits().maxRecipients()) {
            Reply too = Reply.of(Reason.TOO_MANY_RECIPIENTS);
            rcpts.add(new RcptResult(rcpt, too));
            return too;
        }
        Reply reply = session.handler().rcptTo(session.info(), sender, rcpt).orElse(Reply.of(250, "2.1.5", "Recipient OK"));
        rcpts.add(new RcptResult(rcpt, reply));
        if (reply.isPositive()) acceptedKeys.add(rcpt.key());
        return reply;
    }

    boolean hasRecipients() {
        return !acceptedKeys.isEmpty();
    }

    Action data() {
        if (sink != null) return session.error("DATA", Reply.of(Reason.SEQUENCE, "DATA after BDAT"));
        if (!hasRecipients()) return session.error("DATA", Reply.of(Reason.NO_VALID_RECIPIENTS));
        if (!open()) return fail("DATA", Reply.of(Reason.STORE_FAILED));
        decoder = DataDecoder.forData(session.limits());
        return new Action.ReadData(Reply.plain(354, "End data with <CR><LF>.<CR><LF>"), decoder, sink.out());
    }

    Action bdat(SmtpCommand.Bdat b) {
        if (!hasRecipients()) return failChunk(b.size(), Reply.of(Reason.NO_VALID_RECIPIENTS));
        if (sink == null) {
            if (!open()) return failChunk(b.size(), Reply.of(Reason.STORE_FAILED));
            decoder = DataDecoder.forBdat(session.limits());
        }
        if (decoder.size() + b.size() > session.limits().maxMessageSize())
            return failChunk(b.size(), Reply.of(Reason.MESSAGE_TOO_LARGE));
        lastChunk = b.last();
        return new Action.ReadChunk(b.size(), decoder, sink.out());
    }

    /** Ends this transaction, then reads and drops the chunk before answering (RFC 3030 section 2). */
    private Action failChunk(long size, Reply reply) {
        session.endTransaction(reply, Optional.empty());
        return session.discardChunk(size, reply);
    }

    Action chunkEnded() {
        if (lastChunk) {
            decoder.finish();
            return finish("BDAT");
        }
        return new Action.Send(Reply.of(250, "2.0.0", decoder.size() + " octets received"));
    }

    private boolean open() {
        try {
            sink = session.handler().beginMessage(session.info(), snapshot());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    Action finish(String verb) {
        Optional<Reason> violation = decoder.violation();
        if (violation.isPresent()) return fail(verb, Reply.of(violation.get()));
        SmtpHandler.Outcome outcome = session.handler().endMessage(session.info(), snapshot(), sink);
        if (!outcome.reply().isPositive()) return fail(verb, outcome.reply());
        sink = null; // committed: nothing to discard
        session.endTransaction(outcome.reply(), outcome.queueId());
        return new Action.Send(outcome.reply());
    }

    private Action fail(String verb, Reply reply) {
        session.endTransaction(reply, Optional.empty());
        return session.error(verb, reply);
    }

    /** Drops an uncommitted body. */
    void release() {
        if (sink != null) {
            sink.discard();
            sink = null;
        }
    }

    long size() {
        return decoder == null ? 0 : decoder.size();
    }

    Transaction snapshot() {
        return new Transaction(sender, rcpts, declaredSize, smtpUtf8, body);
    }
}
