package moat.server.smtp;

import java.time.Duration;
import moat.core.config.Constraint;
import moat.core.config.Setting;
import moat.protocol.smtp.SmtpLimits;
import moat.server.config.Config;

/** Bounds of every SMTP session. Defaults follow RFC 5321 section 4.5.3 where it names a number. */
public final class SmtpSettings {
    public static final Setting<Integer> MAX_COMMAND_LINE = Setting.ofInt("smtp.max_command_line", 2048, "bytes", 512,
            65536, "Longest command line incl. CRLF (RFC 5321 4.5.3.1.4 minimum 512); longer: 500 5.5.6");
    public static final Setting<Integer> MAX_TEXT_LINE = Setting.ofInt("smtp.max_text_line", 1000, "bytes", 1000,
            1_000_000, "Longest message line incl. CRLF (RFC 5321 4.5.3.1.6); longer: 552 5.3.4");
    public static final Setting<Long> MAX_HEADER_SIZE = Setting.ofBytes("smtp.max_header_size", "256KiB", "1KiB",
            "16MiB", "Largest header section of a message; larger: 552 5.3.4");
    public static final Setting<Long> MAX_MESSAGE_SIZE = Setting.ofBytes("smtp.max_message_size", "25MiB", "64KiB",
            "1GiB", "Largest message (advertised as SIZE, enforced while streaming); larger: 552 5.3.4");
    public static final Setting<Integer> MAX_RECIPIENTS = Setting.ofInt("smtp.max_recipients", 100, "recipients", 1,
            10_000, "Recipients per transaction (RFC 5321 4.5.3.1.8 minimum 100); more: 452 4.5.3");
    public static final Setting<Integer> MAX_TRANSACTIONS = Setting.ofInt("smtp.max_transactions", 100, "messages", 1,
            100_000, "Messages per connection; then 421 4.7.0 and close");
    public static final Setting<Integer> MAX_ERRORS = Setting.ofInt("smtp.max_errors", 10, "errors", 1, 1000,
            "Refused commands per connection before 421 4.7.0 and close");
    public static final Setting<Duration> COMMAND_TIMEOUT = Setting.ofDuration("smtp.command_timeout", "5m", "10s", "1h",
            "Wait for the next command (RFC 5321 4.5.3.2.7: at least 5 minutes)");
    public static final Setting<Duration> DATA_TIMEOUT = Setting.ofDuration("smtp.data_timeout", "3m", "10s", "1h",
            "Wait for each block of DATA/BDAT (RFC 5321 4.5.3.2.6)");
    public static final Setting<Duration> MAX_SESSION_DURATION = Setting.ofDuration("smtp.max_session_duration", "30m",
            "1m", "24h", "Whole-connection deadline; then 421 4.4.2 and close");
    public static final Setting<String> VRFY = Setting.ofString("smtp.vrfy", "off",
            "VRFY/EXPN answer: \"off\" = 502, \"252\" = cannot verify; never confirms or expands an address")
            .withConstraint(Constraint.of("off or 252", v -> v.equals("off") || v.equals("252"), "must be \"off\" or \"252\""));

    private SmtpSettings() {}

    public static SmtpLimits limits(Config c) {
        return new SmtpLimits(c.get(MAX_COMMAND_LINE), c.get(MAX_TEXT_LINE), Math.toIntExact(c.get(MAX_HEADER_SIZE)),
                c.get(MAX_MESSAGE_SIZE), c.get(MAX_RECIPIENTS), c.get(MAX_TRANSACTIONS), c.get(MAX_ERRORS),
                c.get(COMMAND_TIMEOUT), c.get(DATA_TIMEOUT), c.get(MAX_SESSION_DURATION),
                c.get(VRFY).equals("252") ? SmtpLimits.VrfyMode.CANNOT_VERIFY : SmtpLimits.VrfyMode.OFF);
    }
}
