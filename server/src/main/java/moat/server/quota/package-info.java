/**
 * Per-user storage quota (RFC 9208 resource STORAGE): the limit is the user's own
 * ({@code moat user quota}) or {@code imap.default_quota}; usage is the octets of every message
 * in the user's mailboxes. IMAP refuses APPEND and COPY past the limit with {@code NO [OVERQUOTA]};
 * SMTP refuses RCPT for a user already at the limit with {@code 452 4.2.2}.
 *
 * <p>LIMITATION: the check and the write are separate transactions, so concurrent APPENDs (or
 * a delivery racing an APPEND) can overshoot the limit by the messages in flight; SMTP checks at
 * RCPT, before the size is known, so one message may take a user past the limit.
 */
package moat.server.quota;
