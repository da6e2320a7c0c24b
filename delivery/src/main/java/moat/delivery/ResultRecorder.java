package moat.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import moat.core.Audit;
import moat.core.EmailAddress;
import moat.core.Event;
import moat.core.PeerText;
import moat.core.Reason;
import moat.core.Reply;
import moat.store.OutboundQueue;
import moat.store.OutboundQueue.Entry;

/**
 * What the queue makes of one attempt's results: each row removed (only after the remote 250),
 * failed (after its DSN is stored), expired, or deferred with exponential back-off and jitter;
 * one {@code delivery.attempt} audit line per recipient; DSNs only to the authenticated local
 * submitter (docs/adr/0011-outbound-delivery.md). Split from {@link QueueRunner}, which decides
 * when and over which connection a group is sent.
 */
final class ResultRecorder {
    private final DeliverySettings.Values cfg;
    private final OutboundQueue queue;
    private final DsnSender dsns;
    private final Audit audit;
    private final Clock clock;
    private final RandomGenerator random;

    ResultRecorder(DeliverySettings.Values cfg, OutboundQueue queue, DsnSender dsns, Audit audit, Clock clock,
                   RandomGenerator random) {
        this.cfg = cfg;
        this.queue = queue;
        this.dsns = dsns;
        this.audit = audit;
        this.clock = clock;
        this.random = random;
    }

    /** Applies the results: remove, defer or fail each row; audit; DSNs to the local submitter. */
    void finish(List<Entry> rows, Map<EmailAddress, MessageSender.Attempt> results) {
        Instant now = clock.instant();
        Entry first = rows.getFirst();
        List<Dsn.Line> failed = new ArrayList<>();
        List<Dsn.Line> delayed = new ArrayList<>();
        List<Entry> failedRows = new ArrayList<>();
        List<Entry> warnedRows = new ArrayList<>();
        try {
            for (Entry row : rows) {
                MessageSender.Attempt a = results.get(row.recipient());
                if (a == null) a = new MessageSender.Attempt(Reply.of(Reason.DELIVERY_PROTOCOL), "", false, Optional.empty());
                Reply reply = a.reply();
                String result;
                if (reply.isPositive()) {
                    queue.remove(row.queueId(), row.recipient()); // only now: after the remote 250
                    result = "delivered";
                } else if (!reply.isTransient()) {
                    failed.add(line(row, a, reply));
                    failedRows.add(row);
                    result = "failed";
                } else if (!now.isBefore(row.queued().plus(cfg.maxQueueTime()))) {
                    reply = Reply.of(Reason.DELIVERY_EXPIRED, Reason.DELIVERY_EXPIRED.text() + " (last: "
                            + clean(SmtpTransport.text(a.reply())) + ")");
                    failed.add(line(row, a, reply));
                    failedRows.add(row);
                    result = "expired";
                } else {
                    Instant next = now.plus(backoff(row.attempts()));
                    if (!row.warned() && !now.isBefore(row.queued().plus(cfg.warnAfter()))) {
                        delayed.add(line(row, a, reply));
                        warnedRows.add(row);
                    }
                    queue.defer(row.queueId(), row.recipient(), next, SmtpTransport.text(reply));
                    result = "deferred";
                }
                auditAttempt(row, a, reply, result);
            }
            Instant until = first.queued().plus(cfg.maxQueueTime());
            if (!failed.isEmpty()) {
                dsns.send(first, Dsn.Kind.FAILED, failed, now, until);
                for (Entry row : failedRows) queue.remove(row.queueId(), row.recipient());
            }
            if (!delayed.isEmpty()) {
                dsns.send(first, Dsn.Kind.DELAYED, delayed, now, until);
                for (Entry row : warnedRows) queue.markWarned(row.queueId(), row.recipient());
            }
        } catch (IOException e) {
            // The rows not yet updated stay 'sending' and are retried after their lease or a restart.
            audit.internal(Event.DELIVERY_QUEUE_UPDATE_FAILED, e);
        }
    }

    private static Dsn.Line line(Entry row, MessageSender.Attempt a, Reply reply) {
        return new Dsn.Line(row.recipient(), reply, a.mxHost(), a.fromRemote() && reply == a.reply());
    }

    /** Exponential back-off: retry_initial * 2^attempts, capped at retry_max, +-20% jitter. */
    Duration backoff(int attemptsBefore) {
        long base = cfg.retryInitial().toMillis();
        long cap = cfg.retryMax().toMillis();
        long d = attemptsBefore >= 30 ? cap : Math.min(cap, base << attemptsBefore);
        double jitter = 0.8 + 0.4 * random.nextDouble();
        return Duration.ofMillis(Math.max(1, (long) (d * jitter)));
    }

    private void auditAttempt(Entry row, MessageSender.Attempt a, Reply reply, String result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue_id", row.queueId());
        m.put("recipient", row.recipient().toString());
        m.put("attempt", row.attempts() + 1);
        if (!a.mxHost().isEmpty()) m.put("mx", a.mxHost());
        a.facts().ifPresent(f -> {
            m.put("ip", f.ip().getHostAddress());
            m.put("tls", f.tlsVersion().isPresent());
            f.tlsVersion().ifPresent(v -> m.put("tls_version", v));
            f.tlsCipher().ifPresent(c -> m.put("tls_cipher", c));
            m.put("tls_verified", f.peerVerified());
        });
        if (a.connectionUse() > 0) m.put("connection_use", a.connectionUse()); // 1: a new connection, 2+: reused
        m.put("code", reply.code());
        reply.status().ifPresent(s -> m.put("status", s.toString()));
        m.put("text", String.join(" / ", reply.lines()));
        reply.reason().ifPresent(r -> m.put("reason", r.id()));
        m.put("result", result);
        audit.event(Event.DELIVERY_ATTEMPT, m);
    }

    /** Remote text for a DSN or the log: control characters replaced, at most 400 characters. */
    static String clean(String s) {
        return PeerText.line(s, 400);
    }
}
