package moat.server.limits;

import java.time.Duration;

/**
 * The minimum transfer rate of a message body (DATA or one BDAT chunk): a slowloris client that
 * trickles a few bytes just inside every read timeout would otherwise hold a connection for the
 * whole session deadline. The rate is averaged from the start of the transfer, with a grace
 * period ({@code window}) for the first bytes; Postfix's smtpd_min_data_rate is the model.
 *
 * <p>Used by a blocking reader: before each read it asks {@link #readTimeout} how long it may
 * wait; a read that times out while {@link #rateBound} was true means the client fell below the
 * rate. Times are taken from {@link System#nanoTime} because they drive socket timeouts, which
 * run on the real clock whatever clock the rest of the server is given.
 */
public final class DataRate {
    /** @param minBytesPerSecond the slowest acceptable average; {@code window} the grace period */
    public record Limits(long minBytesPerSecond, Duration window) {
        public Limits {
            if (minBytesPerSecond < 1) throw new IllegalArgumentException("min data rate must be positive");
            if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("data rate window must be positive");
        }
    }

    private final Limits limits;
    private final long startNanos;
    private long bytes;
    private boolean rateBound;

    private DataRate(Limits limits, long startNanos) {
        this.limits = limits;
        this.startNanos = startNanos;
    }

    public static DataRate start(Limits limits) {
        return new DataRate(limits, System.nanoTime());
    }

    /** For tests: a meter that started {@code elapsed} ago. */
    static DataRate startedAgo(Limits limits, Duration elapsed) {
        return new DataRate(limits, System.nanoTime() - elapsed.toNanos());
    }

    public void received(int n) {
        if (n > 0) bytes += n;
    }

    /**
     * Milliseconds the next read may block: until the average would fall below the minimum
     * (never before the grace period ends), or {@code idleTimeout}, whichever comes first.
     * Returns at least 1 (0 would mean "forever" to {@link java.net.Socket#setSoTimeout}).
     */
    public int readTimeout(Duration idleTimeout) {
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        // The average stays at or above the minimum until bytes / t == min, i.e. t = bytes / min.
        long rateDeadlineMs = Math.max(limits.window().toMillis(), bytes * 1000 / limits.minBytesPerSecond());
        long rateLeft = rateDeadlineMs - elapsedMs;
        long idle = idleTimeout.toMillis();
        rateBound = rateLeft < idle;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(rateLeft, idle)));
    }

    /**
     * The average is already below the minimum and the grace period is over. Checked before each
     * read, because a trickle that always has a byte waiting would never make a read time out.
     */
    public boolean belowMinimum() {
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        return elapsedMs >= limits.window().toMillis() && bytes * 1000 < limits.minBytesPerSecond() * elapsedMs;
    }

    /** True when the last timeout given by {@link #readTimeout} was the rate's, not the idle one. */
    public boolean rateBound() {
        return rateBound;
    }

    public long bytes() {
        return bytes;
    }
}
