package moat.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import moat.core.Event;
import moat.core.EventSink;

/**
 * The audit log file's sink: one JSON object per line, {@code ts} and {@code event} first, each
 * line flushed when written. Thread-safe. The JSON encoder escapes every control character, so
 * text from a peer cannot start a forged line.
 */
public final class JsonLinesSink implements EventSink, AutoCloseable {
    private static final DateTimeFormatter TS = DateTimeFormatter.ISO_INSTANT;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;
    private final ReentrantLock lock = new ReentrantLock();

    public JsonLinesSink(Writer out) {
        this.out = out;
    }

    /**
     * One audit line without its newline: {@code ts}, {@code event}, then the fields in their
     * order. The chained file ({@link ChainedFileSink}) writes the same lines plus seq and hash.
     */
    static String line(Instant at, Event event, Map<String, Object> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ts", TS.format(at));
        m.put("event", event.id());
        m.putAll(fields);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void accept(Instant at, Event event, Map<String, Object> fields) {
        String line = line(at, event, fields);
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
