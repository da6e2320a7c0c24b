package moat.delivery;

import java.time.Duration;
import java.util.List;
import moat.core.config.Setting;
import moat.core.config.SettingValues;

/**
 * Outbound delivery: the queue runner, retry schedule, MX connections, SMTP client timeouts
 * (RFC 5321 section 4.5.3.2) and STARTTLS. Defaults follow common MTAs: first retry after
 * minutes, back-off doubling up to an hour, give up after 5 days, warn the sender after 4 hours.
 */
public final class DeliverySettings {
    public static final Setting<Boolean> ENABLED = Setting.ofBool("delivery.enabled", true,
            "Run the outbound queue; false keeps remote mail queued (e.g. while testing a new install)");

    public static final Setting<Integer> SMTP_PORT = Setting.ofInt("delivery.smtp_port", 25, "port", 1, 65535,
            "Port of remote mail exchangers; only for tests and smart hosts, the Internet uses 25");

    public static final Setting<Integer> MAX_CONNECTIONS = Setting.ofInt("delivery.max_connections", 20,
            "connections", 1, 1000, "Outbound SMTP connections at once, all destinations together");

    public static final Setting<Integer> MAX_CONNECTIONS_PER_DOMAIN = Setting.ofInt(
            "delivery.max_connections_per_domain", 4, "connections", 1, 100,
            "Outbound SMTP connections at once to one recipient domain");

    public static final Setting<Integer> BATCH = Setting.ofInt("delivery.batch", 200, "rows", 1, 10000,
            "Queue rows claimed per scan; rows beyond wait for the next scan");

    public static final Setting<Duration> SCAN_INTERVAL = Setting.ofDuration("delivery.scan_interval", "1s", "100ms",
            "10m", "How often the runner looks for due rows (a read; it claims only when a row is due)");

    public static final Setting<Duration> LEASE = Setting.ofDuration("delivery.lease", "1h", "1m", "1d",
            "How long a claimed row belongs to its runner; an attempt gives up new connections after half of it");

    public static final Setting<Duration> RETRY_INITIAL = Setting.ofDuration("delivery.retry_initial", "5m", "1s", "1d",
            "Delay before the first retry; each further retry doubles it (with +-20% jitter)");

    public static final Setting<Duration> RETRY_MAX = Setting.ofDuration("delivery.retry_max", "1h", "1s", "7d",
            "Longest delay between two attempts");

    public static final Setting<Duration> MAX_QUEUE_TIME = Setting.ofDuration("delivery.max_queue_time", "5d", "1m",
            "30d", "A message still failing temporarily after this long is given up (DSN 5.4.7 to a local sender)");

    public static final Setting<Duration> WARN_AFTER = Setting.ofDuration("delivery.warn_after", "4h", "1m", "30d",
            "A local sender gets one delay warning DSN when a message is still queued after this long");

    public static final Setting<Integer> MAX_MX_HOSTS = Setting.ofInt("delivery.max_mx_hosts", 10, "hosts", 1, 50,
            "MX hosts tried per attempt (lowest preference first); more are ignored");

    public static final Setting<Duration> CONNECT_TIMEOUT = Setting.ofDuration("delivery.connect_timeout", "30s",
            "100ms", "5m", "TCP connect to one MX address");

    public static final Setting<Duration> GREETING_TIMEOUT = Setting.ofDuration("delivery.greeting_timeout", "5m",
            "100ms", "30m", "Wait for the 220 greeting (RFC 5321 4.5.3.2.1: 5 minutes)");

    public static final Setting<Duration> COMMAND_TIMEOUT = Setting.ofDuration("delivery.command_timeout", "5m",
            "100ms", "30m", "Wait for replies to EHLO, STARTTLS, MAIL and RCPT (RFC 5321 4.5.3.2.2-3: 5 minutes)");

    public static final Setting<Duration> DATA_INIT_TIMEOUT = Setting.ofDuration("delivery.data_init_timeout", "2m",
            "100ms", "30m", "Wait for the 354 reply to DATA (RFC 5321 4.5.3.2.4: 2 minutes)");

    public static final Setting<Duration> DATA_BLOCK_TIMEOUT = Setting.ofDuration("delivery.data_block_timeout", "3m",
            "100ms", "30m", "Longest a write of message data may block (RFC 5321 4.5.3.2.5: 3 minutes)");

    public static final Setting<Duration> DATA_END_TIMEOUT = Setting.ofDuration("delivery.data_end_timeout", "10m",
            "100ms", "60m", "Wait for the reply to the end of data (RFC 5321 4.5.3.2.6: 10 minutes)");

    public static final Setting<Boolean> STARTTLS = Setting.ofBool("delivery.starttls", true,
            "Use STARTTLS when the peer offers it (opportunistic, RFC 3207; the certificate is checked and logged, not required)");

    public static final Setting<Boolean> PLAINTEXT_FALLBACK = Setting.ofBool("delivery.plaintext_fallback", true,
            "After a failed TLS handshake, retry the same address without TLS (as opportunistic TLS MTAs do)");

    public static final Setting<Integer> USER_RATE = Setting.ofInt("delivery.user_rate", 1000, "recipients/hour", 1,
            10_000_000, "Remote recipients one authenticated user may send to per hour; more are held in the queue, not refused");

    public static final Setting<Integer> DOMAIN_RATE = Setting.ofInt("delivery.domain_rate", 6000, "recipients/hour", 1,
            100_000_000, "Recipients per hour to one recipient domain (big providers throttle bursts); more are held in the queue");

    public static final Setting<Boolean> MTA_STS = Setting.ofBool("delivery.mta_sts", true,
            "Honour recipient domains' MTA-STS policies (RFC 8461): in enforce mode only listed MX hosts, only with verified TLS");

    public static final Setting<Integer> MTA_STS_PORT = Setting.ofInt("delivery.mta_sts_port", 443, "port", 1, 65535,
            "HTTPS port of mta-sts.<domain> policy hosts; only for tests, the Internet uses 443");

    public static final Setting<java.nio.file.Path> MTA_STS_CACHE = Setting.ofPath("delivery.mta_sts_cache",
            "mta-sts-cache.json", "File keeping fetched MTA-STS policies until their max_age across restarts (RFC 8461 5.1, 10.2); relative = in server.data_dir");

    public static final Setting<Boolean> TLSRPT = Setting.ofBool("delivery.tlsrpt", true,
            "Count outbound TLS results per recipient domain and send the daily TLS-RPT report (RFC 8460) to domains that publish _smtp._tls mailto: addresses");

    public static final Setting<String> TLSRPT_SENDER = Setting.ofString("delivery.tlsrpt_sender", "",
            "From address (and contact-info) of TLS-RPT reports; empty = tlsrpt-noreply@<server.hostname>")
            .withConstraint(moat.core.config.Constraint.of("empty or an address", v -> v.isEmpty()
                    || moat.core.EmailAddress.parse(v).isPresent(), "must be empty or an email address"));

    public static final Setting<String> TLSRPT_ORGANIZATION = Setting.ofString("delivery.tlsrpt_organization", "",
            "organization-name of TLS-RPT reports; empty = server.hostname");

    public static final Setting<java.nio.file.Path> TLSRPT_STATE = Setting.ofPath("delivery.tlsrpt_state",
            "tlsrpt-state.json", "File keeping today's TLS-RPT counts across restarts (written at most once a minute); relative = in server.data_dir");

    public static final Setting<String> TLS_CA_FILE = Setting.ofString("delivery.tls_ca_file", "",
            "PEM file of extra CA certificates trusted for outbound TLS (besides the JDK's); relative = in server.data_dir; empty = none");

    public static final Setting<String> RELAY_HOST = Setting.ofString("delivery.relay_host", "",
            "Smart host: send all remote mail to this host name or IP literal (its A/AAAA, no MX look-up); empty = deliver by MX")
            .withConstraint(moat.core.config.Constraint.of("host name or IP literal", v -> v.isEmpty()
                    || moat.core.Domain.parse(v).isPresent() || v.matches("[0-9A-Fa-f:.]+"), "must be empty, a host name or an IP literal"));

    public static final Setting<Integer> RELAY_PORT = Setting.ofInt("delivery.relay_port", 587, "port", 1, 65535,
            "Port of the smart host (587: submission with STARTTLS)");

    public static final Setting<String> RELAY_USER = Setting.ofString("delivery.relay_user", "",
            "User name for AUTH PLAIN at the smart host (only ever sent inside TLS); empty = no AUTH");

    public static final Setting<java.nio.file.Path> RELAY_PASSWORD_FILE = Setting.ofPath("delivery.relay_password_file",
            "relay-password", "File whose first line is the smart host password (keep it 0600); relative = in server.data_dir");

    public static final Setting<Boolean> RELAY_REQUIRE_VERIFIED = Setting.ofBool("delivery.relay_require_verified", true,
            "Send to the smart host only when its certificate verifies (JDK trust store, host name); false for a self-signed internal relay");

    public static final Setting<Boolean> RELAY_REQUIRE_TLS = Setting.ofBool("delivery.relay_require_tls", true,
            "Send to the smart host only over STARTTLS; false allows plaintext to a relay without AUTH (a local sink, a benchmark)");

    public static final Setting<List<String>> TRANSPORTS = Setting.ofStringList("delivery.transports", List.of(),
            "Per-domain next hops, before MX look-up and the smart host (edge relay, backup MX): \"domain = host[:port]\""
                    + " (host looked up as a mail domain) or \"domain = [host][:port]\" (no MX look-up); port default"
                    + " delivery.smtp_port; empty = none")
            .withConstraint(Transports.constraint());

    private DeliverySettings() {}

    /** A smart host (RFC 6409 submission with STARTTLS, optionally AUTH PLAIN). */
    public record SmartHost(String host, int port, java.util.Optional<Credentials> credentials, boolean requireTls,
                            boolean requireVerified) {}

    /** Never logged nor printed: {@link #toString} hides the password. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[" + user + ", ****]";
        }
    }

    /** The smart host of {@code c}, if one is configured; reads the password file. */
    public static java.util.Optional<SmartHost> smartHost(SettingValues c) throws java.io.IOException {
        String host = c.get(RELAY_HOST);
        if (host.isEmpty()) return java.util.Optional.empty();
        java.util.Optional<Credentials> cred = java.util.Optional.empty();
        if (!c.get(RELAY_USER).isEmpty()) {
            java.nio.file.Path f = c.path(RELAY_PASSWORD_FILE);
            List<String> lines = java.nio.file.Files.readAllLines(f);
            if (lines.isEmpty() || lines.getFirst().isEmpty())
                throw new java.io.IOException(RELAY_PASSWORD_FILE.key() + ": " + f + " holds no password");
            cred = java.util.Optional.of(new Credentials(c.get(RELAY_USER), lines.getFirst()));
        }
        return java.util.Optional.of(new SmartHost(host, c.get(RELAY_PORT), cred,
                c.get(RELAY_REQUIRE_TLS) || cred.isPresent(), c.get(RELAY_REQUIRE_VERIFIED)));
    }

    /** The values the runner and the client need, read once at start. */
    public record Values(boolean enabled, int port, int maxConnections, int maxPerDomain, int batch, Duration scanInterval,
                         Duration lease, Duration retryInitial, Duration retryMax, Duration maxQueueTime,
                         Duration warnAfter, int maxMxHosts, Timeouts timeouts, boolean startTls,
                         boolean plaintextFallback, int userRate, int domainRate, boolean mtaSts, int mtaStsPort,
                         java.util.Optional<java.nio.file.Path> tlsCaFile, Transports transports,
                         java.nio.file.Path mtaStsCache, TlsReporting tlsRpt,
                         ConnectionCacheSettings.Values connectionCache) {}

    /** TLS-RPT (RFC 8460): on or off; sender and organisation, empty for the defaults derived from the host name. */
    public record TlsReporting(boolean enabled, String sender, String organization, java.nio.file.Path state) {}

    /** RFC 5321 section 4.5.3.2 client timeouts, plus the connect timeout. */
    public record Timeouts(Duration connect, Duration greeting, Duration command, Duration dataInit, Duration dataBlock,
                           Duration dataEnd) {}

    public static Values of(SettingValues c) {
        return new Values(c.get(ENABLED), c.get(SMTP_PORT), c.get(MAX_CONNECTIONS), c.get(MAX_CONNECTIONS_PER_DOMAIN),
                c.get(BATCH), c.get(SCAN_INTERVAL), c.get(LEASE), c.get(RETRY_INITIAL), c.get(RETRY_MAX),
                c.get(MAX_QUEUE_TIME), c.get(WARN_AFTER), c.get(MAX_MX_HOSTS),
                new Timeouts(c.get(CONNECT_TIMEOUT), c.get(GREETING_TIMEOUT), c.get(COMMAND_TIMEOUT),
                        c.get(DATA_INIT_TIMEOUT), c.get(DATA_BLOCK_TIMEOUT), c.get(DATA_END_TIMEOUT)),
                c.get(STARTTLS), c.get(PLAINTEXT_FALLBACK), c.get(USER_RATE), c.get(DOMAIN_RATE), c.get(MTA_STS),
                c.get(MTA_STS_PORT), c.get(TLS_CA_FILE).isEmpty() ? java.util.Optional.empty()
                        : java.util.Optional.of(c.dataDir().resolve(c.get(TLS_CA_FILE))),
                Transports.parse(c.get(TRANSPORTS)), c.path(MTA_STS_CACHE),
                new TlsReporting(c.get(TLSRPT), c.get(TLSRPT_SENDER), c.get(TLSRPT_ORGANIZATION),
                        c.path(TLSRPT_STATE)), ConnectionCacheSettings.of(c));
    }
}
