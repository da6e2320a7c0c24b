package moat.protocol.smtp;

import java.time.Duration;

/**
 * Every bound of an SMTP session, each with the reply it produces (see {@link moat.core.Reason}).
 * Defaults follow RFC 5321 section 4.5.3 where it gives a number, else common MTA practice.
 */
public record SmtpLimits(
        int maxCommandLine,
        int maxTextLine,
        int maxHeaderSize,
        long maxMessageSize,
        int maxRecipients,
        int maxTransactions,
        int maxErrors,
        Duration commandTimeout,
        Duration dataTimeout,
        Duration maxSessionDuration,
        VrfyMode vrfy) {

    /** What VRFY and EXPN answer. Neither ever confirms or expands an address. */
    public enum VrfyMode {
        /** 502: command not implemented. */
        OFF,
        /** 252: cannot verify, but will accept and attempt delivery (RFC 5321 section 3.5.3). */
        CANNOT_VERIFY
    }

    public SmtpLimits {
        if (maxCommandLine < 512) throw new IllegalArgumentException("max command line below RFC 5321 minimum of 512");
        if (maxTextLine < 1000) throw new IllegalArgumentException("max text line below RFC 5321 minimum of 1000");
        if (maxHeaderSize < 1024 || maxMessageSize < 65536 || maxRecipients < 1 || maxTransactions < 1 || maxErrors < 1)
            throw new IllegalArgumentException("limit out of range");
    }

    public static SmtpLimits defaults() {
        return new SmtpLimits(2048, 1000, 256 * 1024, 25L * 1024 * 1024, 100, 100, 10,
                Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(30), VrfyMode.OFF);
    }
}
