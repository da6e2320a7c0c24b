package moat.server.limits;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import moat.core.IpPrefix;

/**
 * Counts failed logins and answers, before a password is checked, whether to check it now, after
 * a back-off, or not at all (locked). Protocol-neutral: SMTP AUTH, IMAP LOGIN/AUTHENTICATE and
 * POP3 USER/PASS each call {@link #check}, then {@link #recordFailure} or {@link #recordSuccess}.
 *
 * <p>The design (docs/adr/0005-auth-lockout.md), in short:
 * <ul>
 *   <li>a client network (IPv4 /32, IPv6 /64) with {@code maxFailures} failures in {@code window}
 *       is locked out for every account for {@code lockout};</li>
 *   <li>an account with {@code maxFailures} failures from one wider network (IPv4 /24, IPv6 /48)
 *       is locked out <em>from that network only</em>, and not for clients that logged in to it
 *       successfully within {@code knownGood};</li>
 *   <li>failures on an account from everywhere only slow its logins down (capped exponential
 *       back-off), they never lock it: a botnet can delay a user, not shut them out.</li>
 * </ul>
 * The user name is counted as typed (lower-cased), whether or not the account exists, so the
 * throttle never tells an attacker which names are real.
 */
public final class AuthThrottle {
    /**
     * @param maxFailures      failures within {@code window} that start a lockout
     * @param window           how long a failure counts
     * @param lockout          how long a lockout lasts
     * @param backoffBase      delay after the first failure; doubles with each further one
     * @param backoffMax       the longest delay
     * @param knownGood        how long a successful login exempts its client from account locks
     * @param ipv4Prefix       client network for the per-client lock (IPv4)
     * @param ipv6Prefix       client network for the per-client lock (IPv6)
     * @param accountIpv4Prefix network for the per-account lock (IPv4)
     * @param accountIpv6Prefix network for the per-account lock (IPv6)
     * @param maxTracked       most entries remembered
     */
    public record Limits(int maxFailures, Duration window, Duration lockout, Duration backoffBase, Duration backoffMax,
                         Duration knownGood, int ipv4Prefix, int ipv6Prefix, int accountIpv4Prefix,
                         int accountIpv6Prefix, int maxTracked) {
        public Limits {
            if (maxFailures < 1 || maxTracked < 1) throw new IllegalArgumentException("auth limits must be positive");
            if (backoffMax.compareTo(backoffBase) < 0)
                throw new IllegalArgumentException("limits.auth_backoff_max is shorter than limits.auth_backoff_base");
        }
    }

    /** What to do with a login attempt before its password is looked at. */
    public sealed interface Decision {
        /** Check the password now. */
        record Allow() implements Decision {}

        /** Wait this long, then check the password (exponential back-off after failures). */
        record Delay(Duration delay) implements Decision {}

        /** Do not check the password; answer a temporary failure (no oracle while locked). */
        record Locked(Lockout lockout) implements Decision {}
    }

    public enum Scope {
        /** Every account, from one client network. */
        CLIENT,
        /** One account, from one wider network, except for its known-good clients. */
        ACCOUNT_NETWORK
    }

    /** The outcome of {@link #attempt}: what the listener answers. */
    public sealed interface Login<T> {
        /** The password was right. */
        record Success<T>(T user) implements Login<T> {}

        /** Wrong password or unknown user (indistinguishable by design). */
        record Failure<T>() implements Login<T> {}

        /** Not checked: locked out. Answer a temporary failure (SMTP 454 4.7.0). */
        record Locked<T>(Lockout lockout) implements Login<T> {}
    }

    /** A lockout: for the audit log ({@code auth.lockout}) and the listener's reply. */
    public record Lockout(Scope scope, IpPrefix network, Optional<String> account, Instant until) {}

    private sealed interface Key {
        record Client(IpPrefix network) implements Key {}

        record AccountNetwork(String account, IpPrefix network) implements Key {}

        record Account(String account) implements Key {}

        record KnownGood(String account, IpPrefix client) implements Key {}
    }

    /** Failure counts, lock end and (for known-good entries) expiry. Guarded by the lock. */
    private static final class State {
        final Window failures;
        Instant lockedUntil = Instant.EPOCH;
        Instant goodUntil = Instant.EPOCH;

        State(Duration window) {
            failures = new Window(window);
        }

        boolean locked(Instant now) {
            return now.isBefore(lockedUntil);
        }

        boolean idle(Instant now) {
            return failures.expired(now) && !locked(now) && !now.isBefore(goodUntil);
        }
    }

    /** Longest user name counted; longer ones are cut so that a key cannot be made huge. */
    private static final int MAX_ACCOUNT = 320;

    private final Limits limits;
    private final Clock clock;
    private final Consumer<Lockout> onLockout;
    private final ReentrantLock lock = new ReentrantLock();
    private final BoundedTable<Key, State> table;

    /** {@code onLockout} hears each lockout as it starts (the audit log); called outside the lock. */
    public AuthThrottle(Limits limits, Clock clock, Consumer<Lockout> onLockout) {
        this.limits = limits;
        this.clock = clock;
        this.onLockout = onLockout;
        this.table = new BoundedTable<>(limits.maxTracked(), new BoundedTable.Policy<>() {
            @Override
            public boolean idle(State s, Instant now) {
                return s.idle(now);
            }

            @Override
            public boolean pinned(State s) {
                return false; // at the cap even a lock can be forgotten: see package-info
            }
        });
    }

    /**
     * The whole login flow in one call, for any protocol: {@link #check}, wait out the back-off,
     * run {@code verify} (which looks the password up and answers the user, or empty), then
     * record the result. An exception from {@code verify} (store unavailable) passes through
     * and counts as nothing.
     */
    public <T> Login<T> attempt(InetAddress address, String username, java.util.function.Supplier<Optional<T>> verify) {
        switch (check(address, username)) {
            case Decision.Locked l -> {
                return new Login.Locked<>(l.lockout());
            }
            case Decision.Delay d -> {
                try {
                    Thread.sleep(d.delay()); // listeners run on virtual threads: a wait costs no platform thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted during login back-off", e);
                }
            }
            case Decision.Allow a -> { }
        }
        Optional<T> user = verify.get();
        if (user.isPresent()) {
            recordSuccess(address, username);
            return new Login.Success<>(user.get());
        }
        recordFailure(address, username);
        return new Login.Failure<>();
    }

    public Decision check(InetAddress address, String username) {
        Instant now = clock.instant();
        IpPrefix client = clientKey(address);
        IpPrefix network = accountNetwork(address);
        String account = normalise(username);
        lock.lock();
        try {
            Optional<State> c = table.find(new Key.Client(client));
            if (c.isPresent() && c.get().locked(now))
                return new Decision.Locked(new Lockout(Scope.CLIENT, client, Optional.empty(), c.get().lockedUntil));
            int failures = c.map(s -> s.failures.count(now)).orElse(0);
            if (!knownGood(account, client, now)) {
                Optional<State> n = table.find(new Key.AccountNetwork(account, network));
                if (n.isPresent() && n.get().locked(now))
                    return new Decision.Locked(new Lockout(Scope.ACCOUNT_NETWORK, network, Optional.of(account),
                            n.get().lockedUntil));
                failures = Math.max(failures, n.map(s -> s.failures.count(now)).orElse(0));
                failures = Math.max(failures, table.find(new Key.Account(account)).map(s -> s.failures.count(now)).orElse(0));
            }
            Duration d = backoff(failures);
            return d.isZero() ? new Decision.Allow() : new Decision.Delay(d);
        } finally {
            lock.unlock();
        }
    }

    /** A wrong password (or unknown user: counted the same). Returns the lockouts it started. */
    public List<Lockout> recordFailure(InetAddress address, String username) {
        Instant now = clock.instant();
        IpPrefix client = clientKey(address);
        IpPrefix network = accountNetwork(address);
        String account = normalise(username);
        List<Lockout> started = new ArrayList<>(2);
        lock.lock();
        try {
            State c = state(new Key.Client(client), now);
            if (c.failures.hit(now) >= limits.maxFailures() && !c.locked(now)) {
                c.lockedUntil = now.plus(limits.lockout());
                c.failures.reset(now); // after the lock, a fresh budget: not one guess per expiry
                started.add(new Lockout(Scope.CLIENT, client, Optional.empty(), c.lockedUntil));
            }
            State n = state(new Key.AccountNetwork(account, network), now);
            if (n.failures.hit(now) >= limits.maxFailures() && !n.locked(now)) {
                n.lockedUntil = now.plus(limits.lockout());
                n.failures.reset(now);
                started.add(new Lockout(Scope.ACCOUNT_NETWORK, network, Optional.of(account), n.lockedUntil));
            }
            state(new Key.Account(account), now).failures.hit(now);
        } finally {
            lock.unlock();
        }
        started.forEach(onLockout);
        return started;
    }

    /**
     * A correct password. Remembers the client as known-good for the account. Counters are not
     * reset: otherwise an attacker with one valid account could wipe their failures between
     * guesses at other accounts.
     */
    public void recordSuccess(InetAddress address, String username) {
        if (limits.knownGood().isZero()) return;
        Instant now = clock.instant();
        lock.lock();
        try {
            state(new Key.KnownGood(normalise(username), clientKey(address)), now).goodUntil = now.plus(limits.knownGood());
        } finally {
            lock.unlock();
        }
    }

    /** Entries currently remembered (never above {@link Limits#maxTracked}). */
    public int tracked() {
        lock.lock();
        try {
            return table.size();
        } finally {
            lock.unlock();
        }
    }

    private boolean knownGood(String account, IpPrefix client, Instant now) {
        return table.find(new Key.KnownGood(account, client)).map(s -> now.isBefore(s.goodUntil)).orElse(false);
    }

    private State state(Key key, Instant now) {
        // Never empty: nothing in this table is pinned, so eviction always makes room.
        return table.obtain(key, now, k -> new State(limits.window())).orElseThrow();
    }

    /** base * 2^(failures-1), capped; no delay before the first failure. */
    Duration backoff(int failures) {
        if (failures <= 0) return Duration.ZERO;
        int shift = Math.min(failures - 1, 30);
        long ms = limits.backoffBase().toMillis() << shift;
        return Duration.ofMillis(Math.min(ms, limits.backoffMax().toMillis()));
    }

    private IpPrefix clientKey(InetAddress a) {
        return ClientKey.of(a, limits.ipv4Prefix(), limits.ipv6Prefix());
    }

    private IpPrefix accountNetwork(InetAddress a) {
        return ClientKey.of(a, limits.accountIpv4Prefix(), limits.accountIpv6Prefix());
    }

    static String normalise(String username) {
        String u = username.strip().toLowerCase(Locale.ROOT);
        return u.length() > MAX_ACCOUNT ? u.substring(0, MAX_ACCOUNT) : u;
    }
}
