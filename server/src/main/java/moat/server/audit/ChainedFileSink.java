package moat.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import moat.core.Event;
import moat.core.EventSink;

/**
 * The audit log file as a hash chain with signed checkpoints (docs/adr/0027): each line gets the
 * next {@code seq} and its {@code hash} ({@link AuditChain}); after every {@code checkpointLines}
 * lines, every {@code checkpointInterval} with lines since the last one, and at close, an
 * {@link Event#AUDIT_CHECKPOINT} line signed with the {@link AuditKey}.
 *
 * <p>Order and durability are {@link JsonLinesSink}'s: the JSON is built on the recording
 * thread outside the lock; seq, hash and the write happen under one lock, so the file's order is
 * the order of seq, and each line is flushed to the OS before {@link #accept} returns (tests and
 * admins read the file right after a reply). The hash costs about 1 µs a line under the lock
 * (bench/ChainCost.java); the signature (0.3 to 0.8 ms) is made on the checkpoint thread,
 * outside the lock, so a checkpoint names the seq it signs, usually a few lines before it.
 *
 * <p>A restart continues the chain from the file's last line. LIMITATION: a file whose last
 * line is not a chained line (torn by a crash mid-write, or written before the chain existed)
 * gets a line feed and a new chain at seq 1; {@code moat log verify} reports the break there.
 */
public final class ChainedFileSink implements EventSink, AutoCloseable {
    /** Checkpoint spacing: {@code audit.checkpoint_lines} and {@code audit.checkpoint_interval}. */
    public record Options(int checkpointLines, Duration checkpointInterval) {}

    private static final DateTimeFormatter TS = DateTimeFormatter.ISO_INSTANT;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest last line looked for at start; longer means "not a chained line". */
    private static final int TAIL_LIMIT = 1 << 20;

    private final BufferedWriter out;
    private final AuditKey key;
    private final String keyId;
    private final Options options;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService timer;
    private final AuditChain chain;
    private int sinceCheckpoint;
    private boolean closed;

    private ChainedFileSink(BufferedWriter out, AuditChain chain, AuditKey key, Options options, Clock clock) {
        this.out = out;
        this.chain = chain;
        this.key = key;
        this.keyId = AuditKey.id(key.publicKey());
        this.options = options;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("audit-checkpoint").factory());
        long every = options.checkpointInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> checkpoint("interval"), every, every, TimeUnit.MILLISECONDS);
    }

    /** Appends to {@code file} (created when missing), continuing the chain its last line ends. */
    public static ChainedFileSink open(Path file, AuditKey key, Options options, Clock clock) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        Tail tail = tail(file);
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        if (tail.torn()) {
            w.write('\n');
            w.flush();
        }
        AuditChain chain = tail.last().flatMap(AuditChain::parse).map(AuditChain::after).orElseGet(AuditChain::start);
        return new ChainedFileSink(w, chain, key, options, clock);
    }

    @Override
    public void accept(Instant at, Event event, Map<String, Object> fields) {
        String json = json(at, event, fields);
        lock.lock();
        try {
            write(chain.append(json));
            out.flush();
            if (++sinceCheckpoint >= options.checkpointLines()) {
                Mark m = mark();
                timer.execute(() -> checkpoint(m, "lines"));
            }
        } catch (IOException e) {
            // The log must not take mail down; report on stderr, which the service manager keeps.
            System.err.println("audit log write failed: " + e);
        } catch (RejectedExecutionException e) {
            sinceCheckpoint = options.checkpointLines(); // closing: the stop checkpoint signs these lines
        } finally {
            lock.unlock();
        }
    }

    /** The chain's end that a checkpoint will sign. */
    private record Mark(long seq, String hash) {}

    /** Under the lock: the chain's end now; the lines up to it no longer count toward the next checkpoint. */
    private Mark mark() {
        sinceCheckpoint = 0;
        return new Mark(chain.seq(), chain.lastHash());
    }

    /** Signs the chain's end now if any line was written since the last mark (the interval and stop checkpoints). */
    void checkpoint(String why) {
        Mark m;
        lock.lock();
        try {
            if (closed || sinceCheckpoint == 0) return;
            m = mark();
        } finally {
            lock.unlock();
        }
        checkpoint(m, why);
    }

    /**
     * Signs {@code m} outside the lock (the JDK's Ed25519 takes 0.3 to 0.8 ms here, which
     * recording threads should not wait for), then appends the checkpoint line: it lands a few
     * lines after the one it signs when lines arrive meanwhile, and is chained itself.
     */
    private void checkpoint(Mark m, String why) {
        try {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("signed_seq", m.seq());
            f.put("signed_hash", m.hash());
            f.put("key_id", keyId);
            f.put("sig", key.sign(m.seq(), m.hash()));
            f.put("why", why);
            assert Event.AUDIT_CHECKPOINT.problems(f.keySet()).isEmpty();
            String json = json(clock.instant().truncatedTo(ChronoUnit.MILLIS), Event.AUDIT_CHECKPOINT, f);
            lock.lock();
            try {
                if (closed) return;
                write(chain.append(json));
                out.flush();
            } finally {
                lock.unlock();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("audit checkpoint failed: " + e);
        }
    }

    private void write(String line) throws IOException {
        out.write(line);
        out.write('\n');
    }

    private static String json(Instant at, Event event, Map<String, Object> fields) {
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

    /** A clean stop signs the tail, so a verifier sees no unsigned lines after it. */
    @Override
    public void close() throws IOException {
        timer.shutdown(); // the periodic task stops; a checkpoint already handed over still runs
        try {
            if (!timer.awaitTermination(30, TimeUnit.SECONDS)) System.err.println("audit checkpoint still signing at close");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkpoint("stop");
        lock.lock();
        try {
            closed = true;
            out.close();
        } finally {
            lock.unlock();
        }
    }

    /** The file's last line, and whether the file ends without a line feed (a torn write). */
    private record Tail(Optional<String> last, boolean torn) {}

    private static Tail tail(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) return new Tail(Optional.empty(), false);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long size = f.length();
            int n = (int) Math.min(size, TAIL_LIMIT);
            byte[] buf = new byte[n];
            f.seek(size - n);
            f.readFully(buf);
            if (buf[n - 1] != '\n') return new Tail(Optional.empty(), true);
            int start = n - 2;
            while (start >= 0 && buf[start] != '\n') start--;
            if (start < 0 && n < size) return new Tail(Optional.empty(), false);
            return new Tail(Optional.of(new String(buf, start + 1, n - 2 - start, StandardCharsets.UTF_8)), false);
        }
    }
}
