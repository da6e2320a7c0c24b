package moat.server.limits;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import moat.core.IpPrefix;
import moat.core.Reason;

/**
 * Per-client connection and request counters, shared by every listener (the role of Postfix's
 * anvil server): simultaneous connections in total and per client network, new connections per
 * client per minute, and MAIL/RCPT per client per hour.
 *
 * <p>One lock guards the whole table: each call is a hash look-up and a few increments, far
 * cheaper than the accept or TLS work around it, so striping would buy nothing measurable.
 */
public final class ConnectionGate {
    /**
     * @param maxTotal        simultaneous connections on all listeners together
     * @param maxPerClient    simultaneous connections per client network
     * @param perMinute       new connections per client network per minute
     * @param messagesPerHour MAIL commands per client network per hour
     * @param recipientsPerHour RCPT commands per client network per hour
     * @param ipv4Prefix      client network length for IPv4 (32 = one address)
     * @param ipv6Prefix      client network length for IPv6 (64 = one site's subnet)
     * @param maxTracked      most client networks remembered; must exceed {@code maxTotal}
     */
    public record Limits(int maxTotal, int maxPerClient, int perMinute, int messagesPerHour, int recipientsPerHour,
                         int ipv4Prefix, int ipv6Prefix, int maxTracked) {
        public Limits {
            if (maxTotal < 1 || maxPerClient < 1 || perMinute < 1 || messagesPerHour < 1 || recipientsPerHour < 1)
                throw new IllegalArgumentException("connection limits must be positive");
            if (ipv4Prefix < 8 || ipv4Prefix > 32 || ipv6Prefix < 16 || ipv6Prefix > 128)
                throw new IllegalArgumentException("prefix lengths out of range");
            // Entries with live connections cannot be evicted; the cap must leave room beyond them.
            if (maxTracked <= maxTotal)
                throw new IllegalArgumentException("limits.max_tracked_clients (" + maxTracked
                        + ") must be larger than limits.max_connections (" + maxTotal + ")");
        }
    }

    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration HOUR = Duration.ofHours(1);

    /** The counters of one client network. Guarded by the gate's lock. */
    static final class Client {
        final IpPrefix key;
        int active;
        final Window connections = new Window(MINUTE);
        final Window messages = new Window(HOUR);
        final Window recipients = new Window(HOUR);

        Client(IpPrefix key) {
            this.key = key;
        }

        boolean idle(Instant now) {
            return active == 0 && connections.expired(now) && messages.expired(now) && recipients.expired(now);
        }
    }

    private final Limits limits;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final BoundedTable<IpPrefix, Client> table;
    private int total;

    public ConnectionGate(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.table = new BoundedTable<>(limits.maxTracked(), new BoundedTable.Policy<>() {
            @Override
            public boolean idle(Client c, Instant now) {
                return c.idle(now);
            }

            @Override
            public boolean pinned(Client c) {
                return c.active > 0;
            }
        });
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Counts a new connection from {@code address} and admits it, or names the limit it breaks.
     * Called right after accept, before TLS or any session state, so a refusal costs one table
     * look-up. Attempts refused for rate or per-client count still count toward the rate: a
     * client that keeps hammering stays refused until it slows down.
     */
    public Admission tryAdmit(InetAddress address) {
        Instant now = clock.instant();
        IpPrefix key = key(address);
        lock.lock();
        try {
            if (total >= limits.maxTotal()) return new Admission.Refused(Reason.CONNECTIONS_TOTAL);
            Optional<Client> found = table.obtain(key, now, Client::new);
            // Cannot be empty: maxTracked > maxTotal >= pinned entries (checked in Limits).
            Client c = found.orElseThrow();
            if (c.connections.hit(now) > limits.perMinute()) return new Admission.Refused(Reason.CONNECTION_RATE);
            if (c.active >= limits.maxPerClient()) return new Admission.Refused(Reason.CONNECTIONS_PER_IP);
            c.active++;
            total++;
            return new Admission.Admitted(new Permit(this, c));
        } finally {
            lock.unlock();
        }
    }

    /** Counts one MAIL from {@code address}; a reason when it exceeds the hourly message rate. */
    public Optional<Reason> countMessage(InetAddress address) {
        return count(address, true);
    }

    /** Counts one RCPT from {@code address}; a reason when it exceeds the hourly recipient rate. */
    public Optional<Reason> countRecipient(InetAddress address) {
        return count(address, false);
    }

    private Optional<Reason> count(InetAddress address, boolean message) {
        Instant now = clock.instant();
        IpPrefix key = key(address);
        lock.lock();
        try {
            Client c = table.obtain(key, now, Client::new).orElseThrow();
            if (message) {
                return c.messages.hit(now) > limits.messagesPerHour() ? Optional.of(Reason.MESSAGE_RATE) : Optional.empty();
            }
            return c.recipients.hit(now) > limits.recipientsPerHour() ? Optional.of(Reason.RECIPIENT_RATE) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    void release(Client c) {
        lock.lock();
        try {
            c.active--;
            total--;
        } finally {
            lock.unlock();
        }
    }

    public IpPrefix key(InetAddress address) {
        return ClientKey.of(address, limits.ipv4Prefix(), limits.ipv6Prefix());
    }

    /** Connections currently admitted, on all listeners. */
    public int active() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** Client networks currently remembered (never above {@link Limits#maxTracked}). */
    public int tracked() {
        lock.lock();
        try {
            return table.size();
        } finally {
            lock.unlock();
        }
    }
}
