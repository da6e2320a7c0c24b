package moat.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import moat.core.Reason;
import moat.core.Reply;
import moat.protocol.smtp.SessionInfo;
import moat.protocol.smtp.SmtpHandler.AuditEvent;
import moat.protocol.smtp.SmtpHandler.RcptResult;

/** Writes audit events as JSON lines. Thread-safe; each line is flushed when written. */
public final class AuditLog implements AutoCloseable {
    private static final DateTimeFormatter TS = DateTimeFormatter.ISO_INSTANT;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();

    public AuditLog(Writer out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    public static AuditLog toFile(Path file, Clock clock) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new AuditLog(w, clock);
    }

    public void connect(SessionInfo s) {
        write(base("smtp.connect", s));
    }

    public void event(SessionInfo s, AuditEvent event) {
        event(s, event, Map.of());
    }

    /** As {@link #event(SessionInfo, AuditEvent)} with {@code extra} fields at the end (SPF/DKIM/DMARC results). */
    public void event(SessionInfo s, AuditEvent event, Map<String, ?> extra) {
        Map<String, Object> m;
        switch (event) {
            case AuditEvent.TransactionEnded t -> {
                m = base("smtp.transaction", s);
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
            }
            case AuditEvent.Refused r -> {
                m = base("smtp.rejected", s);
                m.put("command", r.command());
                reply(m, r.reply());
            }
            case AuditEvent.AuthSucceeded a -> {
                m = base("smtp.auth", s);
                m.put("mechanism", a.mechanism());
            }
            case AuditEvent.Disconnected d -> {
                m = base("smtp.disconnect", s);
                m.put("why", d.why());
            }
        }
        m.putAll(extra);
        write(m);
    }

    /**
     * An event of a protocol without its own method here (POP3...): a stable dotted name and flat
     * fields, written after "ts" and "event". Callers never put a password in {@code fields}.
     */
    public void event(String name, Map<String, ?> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ts", TS.format(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
        m.put("event", name);
        m.putAll(fields);
        write(m);
    }

    /** A policy check scored points (it did not refuse by itself); {@code total} is the session's score now. */
    public void policyScore(SessionInfo s, String check, Reason reason, int points, int total, String detail) {
        Map<String, Object> m = base("policy.score", s);
        m.put("check", check);
        m.put("reason", reason.id());
        m.put("points", points);
        m.put("score", total);
        m.put("detail", detail);
        write(m);
    }

    /** A server-side failure that the admin must see. */
    public void internal(String event, Throwable t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ts", TS.format(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
        m.put("event", event);
        m.put("error", String.valueOf(t));
        write(m);
    }

    private Map<String, Object> base(String event, SessionInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ts", TS.format(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
        m.put("event", event);
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

    private void write(Map<String, Object> m) {
        String line;
        try {
            line = JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        lock.lock();
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            // The log must not take mail down; report on stderr, which the service manager keeps.
            System.err.println("audit log write failed: " + e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
