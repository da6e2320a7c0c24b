package moat.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import moat.core.Audit;
import moat.core.EmailAddress;
import moat.core.Event;
import moat.store.MailStore;
import moat.store.OutboundQueue;
import moat.store.OutboundQueue.Entry;

/**
 * Stores DSNs ({@link Dsn}) in the INBOX of the authenticated local user who submitted the
 * message, through {@link MailStore#begin}/{@link MailStore#commit}: a DSN never leaves the
 * server, and mail that did not come from an authenticated local user gets none (no
 * backscatter, docs/adr/0011-outbound-delivery.md). Every decision is a {@code delivery.dsn}
 * audit event.
 */
final class DsnSender {
    private final OutboundQueue queue;
    private final MailStore store;
    private final Audit audit;
    private final String hostname;

    DsnSender(OutboundQueue queue, MailStore store, Audit audit, String hostname) {
        this.queue = queue;
        this.store = store;
        this.audit = audit;
        this.hostname = hostname;
    }

    /** A DSN into the submitter's INBOX; none for mail that did not come from an authenticated local user. */
    void send(Entry first, Dsn.Kind kind, List<Dsn.Line> lines, Instant now, Instant until) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue_id", first.queueId());
        m.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        m.put("recipients", lines.stream().map(l -> l.recipient().toString()).toList());
        if (first.authUser().isEmpty()) {
            m.put("result", "suppressed");
            m.put("why", "not submitted by an authenticated local user (no backscatter)");
            audit.event(Event.DELIVERY_DSN, m);
            return;
        }
        EmailAddress owner = first.authUser().get();
        String headers;
        try (InputStream in = queue.openBody(first.bodyId())) {
            headers = BodyInfo.read(in).headers();
        }
        String text = Dsn.build(kind, hostname, first.queueId(), first.sender().orElse(owner), first.queued(), now, until,
                lines, headers);
        MailStore.Draft d = store.begin();
        try {
            d.out().write(text.getBytes(StandardCharsets.UTF_8));
            d.out().close();
            String id = store.commit(d, new MailStore.Delivery(Optional.empty(), List.of(owner), List.of(), now));
            m.put("result", "stored");
            m.put("to", owner.toString());
            m.put("dsn_id", id);
        } catch (IOException | RuntimeException e) {
            d.discard();
            // The submitter was removed meanwhile, or the disk failed: the audit log keeps the fate.
            m.put("result", "not_stored");
            m.put("error", String.valueOf(e.getMessage()));
        }
        audit.event(Event.DELIVERY_DSN, m);
    }
}
