package moat.server.limits;

import java.time.Duration;
import moat.core.config.Setting;
import moat.server.config.Config;

/**
 * Connection, rate and authentication limits ({@code limits.*}), shared by every listener.
 * Defaults are meant for a small to medium site; each is an upper bound on one client, so a
 * legitimate peer never notices them.
 */
public final class LimitSettings {
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.ofInt("limits.max_connections", 1000, "connections",
            1, 1_000_000, "Simultaneous connections on all listeners together; beyond: 421 4.7.0 at accept");
    public static final Setting<Integer> MAX_CONNECTIONS_PER_IP = Setting.ofInt("limits.max_connections_per_ip", 50,
            "connections", 1, 1_000_000, "Simultaneous connections per client network (see limits.ipv6_prefix); beyond: 421 4.7.0");
    public static final Setting<Integer> CONNECTION_RATE = Setting.ofInt("limits.connection_rate", 60,
            "connections/minute", 1, 1_000_000, "New connections per client network per minute; beyond: 421 4.7.0");
    public static final Setting<Integer> IPV4_PREFIX = Setting.ofInt("limits.ipv4_prefix", 32, "bits", 8, 32,
            "IPv4 clients are counted per network of this length (32 = per address)");
    public static final Setting<Integer> IPV6_PREFIX = Setting.ofInt("limits.ipv6_prefix", 64, "bits", 16, 128,
            "IPv6 clients are counted per network of this length (64 = one site's subnet, RFC 6177)");
    public static final Setting<Integer> MAX_TRACKED_CLIENTS = Setting.ofInt("limits.max_tracked_clients", 100_000,
            "clients", 1000, 10_000_000, "Client networks remembered for counting; must exceed limits.max_connections; "
                    + "at the cap the oldest idle one is forgotten (see moat.server.limits)");
    public static final Setting<Integer> MESSAGE_RATE = Setting.ofInt("limits.message_rate", 600, "messages/hour", 1,
            10_000_000, "MAIL commands per client network per hour; beyond: 451 4.7.1 (deferred)");
    public static final Setting<Integer> RECIPIENT_RATE = Setting.ofInt("limits.recipient_rate", 3000,
            "recipients/hour", 1, 100_000_000, "RCPT commands per client network per hour; beyond: 451 4.7.1 (deferred)");
    public static final Setting<Duration> BANNER_DELAY = Setting.ofDuration("limits.banner_delay", "2s", "0s", "30s",
            "Port 25: wait this long before the greeting; a client that talks first gets 554 5.7.1 (pregreet)");
    public static final Setting<Duration> SUBMISSION_BANNER_DELAY = Setting.ofDuration("limits.submission_banner_delay",
            "0s", "0s", "10s", "Port 587: the same wait (users' clients should not feel it, so 0 = check only buffered input)");
    public static final Setting<Long> MIN_DATA_RATE = Setting.ofLong("limits.min_data_rate", 500, "bytes/second", 1,
            1_000_000_000L, "Slowest average DATA/BDAT transfer accepted; slower: 421 4.4.2 and close (slowloris)");
    public static final Setting<Duration> DATA_RATE_WINDOW = Setting.ofDuration("limits.data_rate_window", "30s",
            "100ms", "1h", "Grace period at the start of DATA/BDAT before limits.min_data_rate applies");
    public static final Setting<Integer> AUTH_MAX_FAILURES = Setting.ofInt("limits.auth_max_failures", 10, "failures",
            1, 1000, "Failed logins (per client, or per account from one network) within the window that start a lockout");
    public static final Setting<Duration> AUTH_FAILURE_WINDOW = Setting.ofDuration("limits.auth_failure_window", "15m",
            "1m", "24h", "How long a failed login counts");
    public static final Setting<Duration> AUTH_LOCKOUT = Setting.ofDuration("limits.auth_lockout", "15m", "1m", "24h",
            "How long a lockout lasts; logins then answer 454 4.7.0 without checking the password");
    public static final Setting<Duration> AUTH_BACKOFF_BASE = Setting.ofDuration("limits.auth_backoff_base", "500ms",
            "1ms", "10s", "Delay before checking a password after one recent failure; doubles with each further one");
    public static final Setting<Duration> AUTH_BACKOFF_MAX = Setting.ofDuration("limits.auth_backoff_max", "15s", "1ms",
            "5m", "Longest back-off delay (also what a botnet can cost a real user of an attacked account)");
    public static final Setting<Duration> AUTH_KNOWN_GOOD = Setting.ofDuration("limits.auth_known_good", "30d", "0s",
            "365d", "After a successful login, that client is exempt from account lockouts this long (0s = never)");
    public static final Setting<Integer> AUTH_ACCOUNT_IPV4_PREFIX = Setting.ofInt("limits.auth_account_ipv4_prefix", 24,
            "bits", 8, 32, "An account's lockout applies to the IPv4 network of this length that caused it");
    public static final Setting<Integer> AUTH_ACCOUNT_IPV6_PREFIX = Setting.ofInt("limits.auth_account_ipv6_prefix", 48,
            "bits", 16, 128, "An account's lockout applies to the IPv6 network of this length that caused it");
    public static final Setting<Integer> AUTH_MAX_TRACKED = Setting.ofInt("limits.auth_max_tracked", 100_000, "entries",
            1000, 10_000_000, "Failure counters and known-good clients remembered; at the cap the oldest idle one goes");

    private LimitSettings() {}

    public static ConnectionGate.Limits gate(Config c) {
        return new ConnectionGate.Limits(c.get(MAX_CONNECTIONS), c.get(MAX_CONNECTIONS_PER_IP), c.get(CONNECTION_RATE),
                c.get(MESSAGE_RATE), c.get(RECIPIENT_RATE), c.get(IPV4_PREFIX), c.get(IPV6_PREFIX),
                c.get(MAX_TRACKED_CLIENTS));
    }

    public static AuthThrottle.Limits auth(Config c) {
        return new AuthThrottle.Limits(c.get(AUTH_MAX_FAILURES), c.get(AUTH_FAILURE_WINDOW), c.get(AUTH_LOCKOUT),
                c.get(AUTH_BACKOFF_BASE), c.get(AUTH_BACKOFF_MAX), c.get(AUTH_KNOWN_GOOD), c.get(IPV4_PREFIX),
                c.get(IPV6_PREFIX), c.get(AUTH_ACCOUNT_IPV4_PREFIX), c.get(AUTH_ACCOUNT_IPV6_PREFIX),
                c.get(AUTH_MAX_TRACKED));
    }

    public static DataRate.Limits dataRate(Config c) {
        return new DataRate.Limits(c.get(MIN_DATA_RATE), c.get(DATA_RATE_WINDOW));
    }
}
