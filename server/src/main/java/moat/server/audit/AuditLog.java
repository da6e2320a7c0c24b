package moat.server.audit;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import moat.core.Audit;
import moat.core.Event;
import moat.core.EventSink;
import moat.core.Reason;
import moat.core.Reply;
import moat.protocol.smtp.SessionInfo;
import moat.protocol.smtp.SmtpHandler.AuditEvent;
import moat.protocol.smtp.SmtpHandler.RcptResult;

/**
 * The event stream: builds each event's fields from what the caller knows (an SMTP session, a
 * queue row), checks them against the catalogue ({@link Event}) and hands them to every
 * {@link EventSink}: the JSON lines file today, metrics and a syslog shipper later. Thread-safe
 * when its sinks are.
 */
public final class AuditLog implements Audit, AutoCloseable {
    private final Clock clock;
    private final List<EventSink> sinks;

    /** The stream with one sink, JSON lines into {@code out}. */
    public AuditLog(Writer out, Clock clock) {
        this(clock, List.of(new JsonLinesSink(out)));
    }

    public AuditLog(Clock clock, List<EventSink> sinks) {
        this.clock = clock;
        this.sinks = List.copyOf(sinks);
    }

    /**
     * The stream with the audit log file as its sink, chained and signed with the key in
     * {@code dataDir} (created on first start); a restart continues the file's chain.
     */
    public static AuditLog toChainedFile(Path file, Path dataDir, ChainedFileSink.Options options, Clock clock)
            throws IOException {
        return new AuditLog(clock, List.of(ChainedFileSink.open(file, AuditKey.loadOrCreate(dataDir), options, clock)));
    }

    public void connect(SessionInfo s) {
        emit(Event.SMTP_CONNECT, base(s));
    }

    public void event(SessionInfo s, AuditEvent event) {
        event(s, event, Map.of());
    }

    /** As {@link #event(SessionInfo, AuditEvent)} with {@code extra} fields at the end (SPF/DKIM/DMARC results). */
    public void event(SessionInfo s, AuditEvent event, Map<String, ?> extra) {
        Map<String, Object> m = base(s);
        Event name = switch (event) {
            case AuditEvent.TransactionEnded t -> {
                m.put("mail_from", t.transaction().sender().map(Object::toString).orElse(""));
                List<Map<String, Object>> rcpts = new ArrayList<>();
                for (RcptResult r : t.transaction().rcpts()) {
                    Map<String, Object> rm = new LinkedHashMap<>();
                    rm.put("address", r.address().toString());
                    reply(rm, r.reply());
                    rcpts.add(rm);
                }
                m.put("rcpts", rcpts);
                m.put("size", t.size());
                t.queueId().ifPresent(q -> m.put("queue_id", q));
                reply(m, t.finalReply());
                yield Event.SMTP_TRANSACTION;
            }
            case AuditEvent.Refused r -> {
                m.put("command", r.command());
                reply(m, r.reply());
                yield Event.SMTP_REJECTED;
            }
            case AuditEvent.AuthSucceeded a -> {
                m.put("mechanism", a.mechanism());
                yield Event.SMTP_AUTH;
            }
            case AuditEvent.Disconnected d -> {
                m.put("why", d.why());
                yield Event.SMTP_DISCONNECT;
            }
        };
        m.putAll(extra);
        emit(name, m);
    }

    /**
     * An event of a protocol without its own method here (POP3, delivery...): flat fields, the
     * ones the catalogue lists for it. Callers never put a password in {@code fields}.
     */
    @Override
    public void event(Event event, Map<String, ?> fields) {
        emit(event, new LinkedHashMap<>(fields));
    }

    /** A policy check scored points (it did not refuse by itself); {@code total} is the session's score now. */
    public void policyScore(SessionInfo s, String check, Reason reason, int points, int total, String detail) {
        Map<String, Object> m = base(s);
        m.put("check", check);
        m.put("reason", reason.id());
        m.put("points", points);
        m.put("score", total);
        m.put("detail", detail);
        emit(Event.POLICY_SCORE, m);
    }

    /** A server-side failure that the admin must see. */
    @Override
    public void internal(Event event, Throwable t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", String.valueOf(t));
        emit(event, m);
    }

    private static Map<String, Object> base(SessionInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", s.sessionId());
        m.put("listener", s.listener().name().toLowerCase(java.util.Locale.ROOT));
        m.put("client_ip", s.client().getAddress().getHostAddress());
        m.put("client_port", s.client().getPort());
        s.helo().ifPresent(h -> m.put("helo", h));
        s.tls().ifPresent(t -> {
            m.put("tls_version", t.protocol());
            m.put("tls_cipher", t.cipherSuite());
        });
        s.authUser().ifPresent(u -> m.put("auth_user", u.toString()));
        return m;
    }

    private static void reply(Map<String, Object> m, Reply r) {
        m.put("code", r.code());
        r.status().ifPresent(st -> m.put("status", st.toString()));
        r.reason().ifPresent(reason -> m.put("reason", reason.id()));
    }

    /**
     * Hands the event to every sink. An event off the catalogue is a bug: it is still written
     * (the log must not lose it), reported on stderr, and fails the tests (they run with -ea).
     */
    private void emit(Event event, Map<String, Object> fields) {
        List<String> problems = event.problems(fields.keySet());
        if (!problems.isEmpty()) System.err.println("audit event off the catalogue: " + problems);
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Map<String, Object> view = Collections.unmodifiableMap(fields);
        for (EventSink sink : sinks) sink.accept(at, event, view);
        assert problems.isEmpty() : problems;
    }

    @Override
    public void close() throws IOException {
        for (EventSink sink : sinks) {
            if (sink instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        }
    }
}
