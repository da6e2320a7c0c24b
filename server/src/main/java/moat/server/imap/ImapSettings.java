package moat.server.imap;

import java.time.Duration;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.protocol.imap.ImapLimits;
import moat.server.config.Config;

/** IMAP listener ports and session bounds. */
public final class ImapSettings {
    public static final Setting<ListenerPort> IMAP_PORT = Setting.ofPort("listener.imap_port", 143,
            "Port for IMAP with STARTTLS (RFC 9051); LOGIN only after TLS; \"off\" = no listener");
    public static final Setting<ListenerPort> IMAPS_PORT = Setting.ofPort("listener.imaps_port", 993,
            "Port for IMAP over implicit TLS (RFC 8314); \"off\" = no listener");
    public static final Setting<Integer> MAX_LINE = Setting.ofInt("imap.max_line", 8192, "bytes", 1024, 1_000_000,
            "Longest IMAP command line, literals excluded (RFC 7162 section 4 asks for at least 8192)");
    public static final Setting<Long> MAX_APPEND = Setting.ofBytes("imap.max_append", "25MiB", "64KiB", "1GiB",
            "Largest APPEND literal, advertised as APPENDLIMIT (RFC 7889); larger: NO [TOOBIG]");
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.ofDuration("imap.idle_timeout", "30m", "30m", "24h",
            "Inactivity allowed once logged in (RFC 9051 section 5.4: at least 30 minutes); IDLE included");
    public static final Setting<Duration> UNAUTH_TIMEOUT = Setting.ofDuration("imap.unauth_timeout", "60s", "5s", "30m",
            "Inactivity allowed before login");
    public static final Setting<Integer> MAX_ERRORS = Setting.ofInt("imap.max_errors", 20, "errors", 1, 1000,
            "BAD answers and failed logins per connection before BYE");
    public static final Setting<Integer> MAX_CONNECTIONS_PER_USER = Setting.ofInt("imap.max_connections_per_user", 20,
            "connections", 1, 1000, "Simultaneous IMAP sessions of one user; more: NO [UNAVAILABLE] at login");

    public static final Setting<Long> DEFAULT_QUOTA = Setting.ofBytes("imap.default_quota", "1GiB", "1KiB", "16TiB",
            "Storage quota of a user without their own (moat user quota), over all their mailboxes (RFC 9208);"
                    + " past it IMAP APPEND/COPY get NO [OVERQUOTA] and SMTP RCPT gets 452 4.2.2");

    private ImapSettings() {}

    public static ImapLimits limits(Config c) {
        return new ImapLimits(c.get(MAX_LINE), c.get(MAX_APPEND), 64 * 1024, 16, c.get(IDLE_TIMEOUT),
                c.get(UNAUTH_TIMEOUT), c.get(MAX_ERRORS), c.get(MAX_CONNECTIONS_PER_USER));
    }
}
