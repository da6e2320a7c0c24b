/**
 * IMAP listeners: port 143 (STARTTLS) and 993 (implicit TLS, RFC 8314), one virtual thread per
 * connection, the blocking I/O loop ({@link moat.server.imap.ImapConnection}) around the
 * protocol session, and {@link moat.server.imap.StoreBackend} over the store's Mailboxes SPI.
 *
 * <p>SECURITY: every read has a timeout (shorter before login); bytes pipelined after
 * STARTTLS are discarded (CVE-2011-0411); every literal is judged before it is read (1 KiB
 * before login, imap.max_append for APPEND) and a refused non-synchronising literal closes the
 * connection; lines are bounded (imap.max_line). Sessions per user are bounded
 * (imap.max_connections_per_user). Password checks go through {@link moat.server.limits.LoginGate},
 * the failed-login limits shared with POP3 and SMTP AUTH. Audit lines (AuditLog.event): imap.login,
 * imap.login.failed (username and reason, never the password), imap.logout.
 *
 * <p>IDLE: a virtual thread blocks on the DONE line while the connection thread waits on a
 * queue the store's change notifier feeds, so news goes out at once, without polling.
 * LIMITATION: the notifier is in-process only (one node).
 */
package moat.server.imap;
