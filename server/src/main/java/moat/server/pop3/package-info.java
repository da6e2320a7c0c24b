/**
 * POP3 listeners (RFC 1939): {@code listener.pop3_port} (110, STLS per RFC 2595) and
 * {@code listener.pop3s_port} (995, implicit TLS per RFC 8314), one virtual thread per
 * connection with a timeout on every read. The protocol itself is
 * {@link moat.protocol.pop3.Pop3Session}; this package does the I/O and implements its handler
 * over the directory and the mail store (the maildrop is the user's INBOX; UIDL =
 * {@code <uidvalidity>.<uid>}, consistent with IMAP).
 *
 * <p>Security: no login before TLS; bytes pipelined behind STLS are discarded before the
 * handshake; logins go through {@link moat.server.limits.LoginGate}, the failed-login limits
 * shared with IMAP and SMTP AUTH (the per-connection limit {@code pop3.max_auth_failures} applies
 * too); deletions happen only at QUIT, through {@code MailStore.expunge}; one POP3
 * session per maildrop ([IN-USE]). Audit events: {@code pop3.connect}, {@code pop3.login},
 * {@code pop3.login.failed} (reason: bad_credentials, throttled, malformed, in_use, store,
 * temporary), {@code pop3.rejected}, {@code pop3.quit} (retrieved/deleted/left),
 * {@code pop3.disconnect}; never a password.
 *
 * <p>LIMITATION: maildrop locks are per process (see {@link moat.server.pop3.Pop3Backend}).
 */
package moat.server.pop3;
