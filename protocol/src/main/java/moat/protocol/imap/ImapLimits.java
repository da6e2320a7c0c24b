package moat.protocol.imap;

import java.time.Duration;

/**
 * Bounds of every IMAP session; each has a tagged NO/BAD or a BYE when exceeded, never a crash.
 *
 * @param maxLine             longest line of a command, literals excluded (RFC 7162 section 4 asks for 8192)
 * @param maxLiteral          largest APPEND literal, advertised as APPENDLIMIT (RFC 7889)
 * @param maxOtherLiteral     largest literal in any other command (a mailbox name, a search string)
 * @param maxNesting          deepest parenthesis nesting in SEARCH and FETCH
 * @param idleTimeout         inactivity allowed once authenticated (RFC 9051 section 5.4: at least 30 min)
 * @param unauthTimeout       inactivity allowed before login
 * @param maxErrors           BAD/NO answers to bad syntax before BYE
 * @param maxConnectionsPerUser simultaneous sessions one user may hold
 */
public record ImapLimits(int maxLine, long maxLiteral, int maxOtherLiteral, int maxNesting, Duration idleTimeout,
                         Duration unauthTimeout, int maxErrors, int maxConnectionsPerUser) {
    public static ImapLimits defaults() {
        return new ImapLimits(8192, 25L * 1024 * 1024, 64 * 1024, 16, Duration.ofMinutes(30), Duration.ofSeconds(60),
                20, 20);
    }
}
