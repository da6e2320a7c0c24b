package moat.server.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
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
 * <p>Rotation by size and by UTC day renames the file ({@link AuditFiles}), compresses it and
 * deletes rotated files older than the retention, all on the checkpoint thread but the rename;
 * the chain goes on across files. A restart continues the chain from the file's last line. LIMITATION: a file whose last
 * line is not a chained line (torn by a crash mid-write, or written before the chain existed)
 * gets a line feed and a new chain at seq 1; {@code moat log verify} reports the break there.
 */
public final class ChainedFileSink implements EventSink, AutoCloseable {
    /**
     * Checkpoint spacing ({@code audit.checkpoint_lines}, {@code audit.checkpoint_interval}) and
     * rotation ({@code audit.rotate_size}, {@code audit.rotate_daily}, {@code audit.retention}).
     */
    public record Options(int checkpointLines, Duration checkpointInterval, long rotateSize, boolean rotateDaily,
                          Duration retention) {}

    /** What the chain adds to a line at most: {@code "seq":<19 digits>,} and {@code ,"hash":"<64 hex>"}, and the line feed. */
    private static final int CHAIN_MEMBERS = 27 + 74 + 1;

    private final Path file;
    private BufferedWriter out;
    /** Bytes in the current file and the UTC day it was started on: when to rotate. */
    private long size;
    private LocalDate day;
    private final AuditKey key;
    private final String keyId;
    private final Options options;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService timer;
    private final AuditChain chain;
    private int sinceCheckpoint;
    private boolean closed;

    private ChainedFileSink(Path file, BufferedWriter out, AuditChain chain, AuditKey key, Options options, Clock clock)
            throws IOException {
        this.file = file;
        this.out = out;
        this.size = Files.size(file);
        this.day = size == 0 ? today(clock) : LocalDate.ofInstant(Files.getLastModifiedTime(file).toInstant(), ZoneOffset.UTC);
        this.chain = chain;
        this.key = key;
        this.keyId = AuditKey.id(key.publicKey());
        this.options = options;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("audit-checkpoint").factory());
        long every = options.checkpointInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> checkpoint("interval"), every, every, TimeUnit.MILLISECONDS);
        // a crash between rotation and compression left plain rotated files: compress them now
        for (Path f : AuditFiles.rotatedFiles(file))
            if (!f.getFileName().toString().endsWith(".gz")) timer.execute(() -> compress(f));
    }

    /**
     * Appends to {@code file} (created when missing), continuing the chain its last line ends, or
     * the newest rotated file's when the current one is missing or empty (a stop right after a
     * rotation).
     */
    public static ChainedFileSink open(Path file, AuditKey key, Options options, Clock clock) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        AuditFiles.Tail tail = AuditFiles.tail(file);
        if (tail.equals(AuditFiles.Tail.NONE)) {
            List<Path> rotated = AuditFiles.rotatedFiles(file);
            if (!rotated.isEmpty()) tail = AuditFiles.tail(rotated.getLast());
        }
        BufferedWriter w = writer(file);
        if (tail.torn()) {
            w.write('\n');
            w.flush();
        }
        AuditChain chain = tail.last().flatMap(AuditChain::parse).map(AuditChain::after).orElseGet(AuditChain::start);
        return new ChainedFileSink(file, w, chain, key, options, clock);
    }

    private static BufferedWriter writer(Path file) throws IOException {
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    private static LocalDate today(Clock clock) {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    @Override
    public void accept(Instant at, Event event, Map<String, Object> fields) {
        String json = JsonLinesSink.line(at, event, fields);
        lock.lock();
        try {
            rotateIfDue(json);
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
            String json = JsonLinesSink.line(clock.instant().truncatedTo(ChronoUnit.MILLIS), Event.AUDIT_CHECKPOINT, f);
            lock.lock();
            try {
                if (closed) return;
                rotateIfDue(json);
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
        size += line.length() + 1; // chars, not bytes: close enough for a size limit
    }

    /**
     * Under the lock, before a line: when the file would pass audit.rotate_size, or a new UTC day
     * began (audit.rotate_daily), the file is renamed and a new one started; the chain simply
     * goes on in it. Compression and retention run on the checkpoint thread.
     */
    private void rotateIfDue(String json) throws IOException {
        int next = json.length() + CHAIN_MEMBERS;
        LocalDate now = today(clock);
        boolean due = size > 0 && (size + next > options.rotateSize() || options.rotateDaily() && !now.equals(day));
        if (!due) return;
        out.close();
        Path rotated = AuditFiles.rotatedName(file, clock.instant(), chain.seq());
        Files.move(file, rotated, StandardCopyOption.ATOMIC_MOVE);
        out = writer(file);
        size = 0;
        day = now;
        try {
            timer.execute(() -> {
                compress(rotated);
                try {
                    AuditFiles.expire(file, clock.instant().minus(options.retention()));
                } catch (IOException e) {
                    System.err.println("audit retention failed: " + e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: compressed at the next start
        }
    }

    private static void compress(Path rotated) {
        try {
            AuditFiles.compress(rotated);
        } catch (IOException e) {
            System.err.println("audit log compression failed (the file stays plain): " + e);
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

}
