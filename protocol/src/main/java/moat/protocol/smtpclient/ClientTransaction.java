package moat.protocol.smtpclient;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.core.Reply;

/**
 * One mail transaction of the client side (RFC 5321 section 3.3) as a state machine without I/O:
 * it says what to send ({@link Step}) and takes the server's replies in order. With PIPELINING
 * (RFC 2920) MAIL, every RCPT and DATA go in one batch; without it, one command per reply. With
 * CHUNKING (RFC 3030) the message goes as one {@code BDAT <size> LAST} chunk, so no dot-stuffing.
 *
 * <p>The result is per recipient: a RCPT refusal is that recipient's reply; the reply to the end
 * of data is the reply of every recipient whose RCPT was accepted; a failed MAIL or DATA is the
 * reply of all. Replies 4xx mean "try again later", 5xx "failed for good" (section 4.2.1).
 *
 * <p>Before sending anything, the transaction checks what the message needs against what the
 * peer offers: SMTPUTF8 (RFC 6531 section 3.4: a non-ASCII address must not go to a peer
 * without it), 8BITMIME (RFC 6152: no downgrade here), SIZE (RFC 1870 section 6).
 */
public final class ClientTransaction {

    /** What the message needs: computed from the envelope and the stored octets. */
    public record Message(Optional<EmailAddress> sender, List<EmailAddress> recipients, long size, boolean eightBit,
                          boolean needsSmtpUtf8) {
        public Message {
            recipients = List.copyOf(recipients);
            if (recipients.isEmpty()) throw new IllegalArgumentException("no recipients");
        }
    }

    /** What the I/O layer does next. */
    public sealed interface Step {
        /** Write these command lines (each followed by CRLF) in one flush, then read a reply. */
        record Send(List<String> lines) implements Step {}

        /** Read the next reply of the batch already sent. */
        record Await() implements Step {}

        /** DATA: write the dot-stuffed message and its terminator, then read a reply. */
        record SendData() implements Step {}

        /** CHUNKING: write {@code BDAT <size> LAST} CRLF then the raw octets, then read a reply. */
        record SendBdat(long size) implements Step {}

        /** The transaction is over; the connection may be reused or closed (QUIT). */
        record Done(Map<EmailAddress, Reply> results) implements Step {}
    }

    /** What the pending reply answers: picks the RFC 5321 section 4.5.3.2 timeout. */
    public enum Phase { MAIL, RCPT, DATA_INIT, DATA_END, IGNORED }

    private final Message message;
    private final Capabilities caps;
    private final Deque<Phase> pending = new ArrayDeque<>();
    private final List<EmailAddress> rcptsToAnswer = new ArrayList<>();
    private final Map<EmailAddress, Reply> results = new LinkedHashMap<>();
    private final List<EmailAddress> accepted = new ArrayList<>();
    private Optional<Reply> mailFailed = Optional.empty();
    private Optional<Reply> dataFailed = Optional.empty();
    private int nextRcpt;

    public ClientTransaction(Message message, Capabilities caps) {
        this.message = message;
        this.caps = caps;
    }

    /** The first step: either a refusal decided locally, or the first batch of commands. */
    public Step start() {
        Optional<Reply> local = precheck();
        if (local.isPresent()) {
            for (EmailAddress r : message.recipients()) results.put(r, local.get());
            return done();
        }
        List<String> lines = new ArrayList<>();
        lines.add(mailCommand());
        pending.add(Phase.MAIL);
        if (caps.pipelining()) {
            for (EmailAddress r : message.recipients()) {
                lines.add("RCPT TO:<" + r + ">");
                pending.add(Phase.RCPT);
                rcptsToAnswer.add(r);
            }
            nextRcpt = message.recipients().size();
            if (!caps.chunking()) {
                lines.add("DATA");
                pending.add(Phase.DATA_INIT);
            }
        }
        return new Step.Send(lines);
    }

    /** The phase of the reply the I/O layer waits for now. */
    public Phase awaiting() {
        return pending.isEmpty() ? Phase.IGNORED : pending.peek();
    }

    private Optional<Reply> precheck() {
        if (message.needsSmtpUtf8() && !caps.smtpUtf8()) return Optional.of(Reply.of(Reason.DELIVERY_SMTPUTF8));
        if (message.eightBit() && !caps.eightBitMime()) return Optional.of(Reply.of(Reason.DELIVERY_8BIT));
        if (caps.size().isPresent() && message.size() > caps.size().getAsLong())
            return Optional.of(Reply.of(Reason.DELIVERY_TOO_LARGE));
        return Optional.empty();
    }

    private String mailCommand() {
        StringBuilder sb = new StringBuilder("MAIL FROM:<").append(message.sender().map(EmailAddress::toString).orElse(""))
                .append('>');
        if (caps.size().isPresent()) sb.append(" SIZE=").append(message.size());
        if (message.eightBit()) sb.append(" BODY=8BITMIME");
        if (message.needsSmtpUtf8()) sb.append(" SMTPUTF8");
        return sb.toString();
    }


    /** Takes the next reply of the server, in command order. */
    public Step onReply(Reply reply) {
        Phase phase = pending.poll();
        if (phase == null) throw new IllegalStateException("no reply expected");
        switch (phase) {
            case MAIL -> {
                if (!reply.isPositive()) mailFailed = Optional.of(reply);
                else if (!caps.pipelining()) return sendNextRcpt();
            }
            case RCPT -> {
                EmailAddress r = rcptsToAnswer.removeFirst();
                if (mailFailed.isPresent()) results.put(r, mailFailed.get());
                else if (reply.isPositive()) accepted.add(r);
                else results.put(r, reply);
                if (!caps.pipelining() && mailFailed.isEmpty() && nextRcpt < message.recipients().size())
                    return sendNextRcpt();
            }
            case DATA_INIT -> {
                if (reply.code() == 354) {
                    if (mailFailed.isPresent() || accepted.isEmpty()) {
                        // RFC 2920 section 3.1: an old server accepted DATA although no RCPT
                        // succeeded; end it with an empty message whose reply means nothing.
                        pending.add(Phase.IGNORED);
                        return new Step.Send(List.of("."));
                    }
                    pending.add(Phase.DATA_END);
                    return new Step.SendData();
                }
                dataFailed = Optional.of(reply);
            }
            case DATA_END -> {
                for (EmailAddress r : accepted) results.put(r, reply);
                return done();
            }
            case IGNORED -> {
                return done();
            }
        }
        if (!pending.isEmpty()) return new Step.Await();
        // Every reply of the batch is in.
        if (mailFailed.isPresent()) {
            for (EmailAddress r : message.recipients()) results.putIfAbsent(r, mailFailed.get());
            return done();
        }
        if (accepted.isEmpty()) return done();
        if (dataFailed.isPresent()) {
            for (EmailAddress r : accepted) results.put(r, dataFailed.get());
            return done();
        }
        if (caps.chunking()) {
            pending.add(Phase.DATA_END);
            return new Step.SendBdat(message.size());
        }
        // Not pipelined: DATA now.
        pending.add(Phase.DATA_INIT);
        return new Step.Send(List.of("DATA"));
    }

    private Step sendNextRcpt() {
        EmailAddress r = message.recipients().get(nextRcpt++);
        rcptsToAnswer.add(r);
        pending.add(Phase.RCPT);
        return new Step.Send(List.of("RCPT TO:<" + r + ">"));
    }

    private Step done() {
        pending.clear();
        Map<EmailAddress, Reply> ordered = new LinkedHashMap<>();
        for (EmailAddress r : message.recipients()) ordered.put(r, results.get(r));
        return new Step.Done(java.util.Collections.unmodifiableMap(ordered));
    }
}
