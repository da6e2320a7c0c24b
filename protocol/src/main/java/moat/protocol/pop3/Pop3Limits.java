package moat.protocol.pop3;

import java.time.Duration;

/**
 * Bounds of one POP3 session.
 *
 * @param maxCommandLine  longest command line in octets including CRLF (RFC 2449 section 4: 255;
 *                        we allow more for long SASL initial responses)
 * @param maxAuthFailures failed logins per connection before "-ERR [AUTH]" and close
 * @param maxErrors       refused commands per connection before "-ERR" and close
 * @param idleTimeout     wait for the next command (RFC 1939 section 3: at least 10 minutes)
 * @param maxSession      whole-connection deadline
 */
public record Pop3Limits(int maxCommandLine, int maxAuthFailures, int maxErrors, Duration idleTimeout,
                         Duration maxSession) {
    public Pop3Limits {
        if (maxCommandLine < 255) throw new IllegalArgumentException("maxCommandLine below RFC 2449's 255");
        if (maxAuthFailures < 1 || maxErrors < 1) throw new IllegalArgumentException("limits must be positive");
    }
}
