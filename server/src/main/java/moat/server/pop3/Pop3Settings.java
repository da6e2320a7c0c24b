package moat.server.pop3;

import java.time.Duration;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.protocol.pop3.Pop3Limits;
import moat.server.config.Config;

/** Ports and bounds of the POP3 listeners (RFC 1939, RFC 2449, RFC 8314). */
public final class Pop3Settings {
    public static final Setting<ListenerPort> POP3_PORT = Setting.ofPort("listener.pop3_port", 110,
            "Port for POP3 with STLS (RFC 1939, RFC 2595); no login before TLS; \"off\" = no listener");
    public static final Setting<ListenerPort> POP3S_PORT = Setting.ofPort("listener.pop3s_port", 995,
            "Port for POP3 over implicit TLS (RFC 8314); \"off\" = no listener");
    public static final Setting<Integer> MAX_COMMAND_LINE = Setting.ofInt("pop3.max_command_line", 512, "bytes", 255,
            8192, "Longest command line incl. CRLF (RFC 2449 section 4: 255); longer: -ERR Line too long");
    public static final Setting<Integer> MAX_AUTH_FAILURES = Setting.ofInt("pop3.max_auth_failures", 3, "failures", 1,
            100, "Failed logins per connection; then -ERR [AUTH] and close");
    public static final Setting<Integer> MAX_ERRORS = Setting.ofInt("pop3.max_errors", 20, "errors", 1, 1000,
            "Refused commands per connection; then -ERR and close");
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.ofDuration("pop3.idle_timeout", "10m", "1s", "1h",
            "Wait for the next command (RFC 1939 section 3: at least 10 minutes; lower only for tests)");
    public static final Setting<Duration> MAX_SESSION_DURATION = Setting.ofDuration("pop3.max_session_duration", "1h",
            "1s", "24h", "Whole-connection deadline; then -ERR and close (nothing is deleted)");

    private Pop3Settings() {}

    public static Pop3Limits limits(Config c) {
        return new Pop3Limits(c.get(MAX_COMMAND_LINE), c.get(MAX_AUTH_FAILURES), c.get(MAX_ERRORS),
                c.get(IDLE_TIMEOUT), c.get(MAX_SESSION_DURATION));
    }
}
