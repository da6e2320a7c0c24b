/**
 * Connection, rate and login limits shared by every listener (SMTP, IMAP and POP3 use the same
 * objects). Postfix's anvil server is the model for the counters.
 *
 * <h2>What</h2>
 * <ul>
 *   <li>{@link moat.server.limits.ConnectionGate#tryAdmit}: simultaneous connections in total and
 *       per client network, new connections per client per minute; answers
 *       {@link moat.server.limits.Admission} (admitted with a {@link moat.server.limits.Permit} to
 *       close at the end, or refused with a {@link moat.core.Reason}). Also the hourly MAIL and
 *       RCPT rates per client ({@code countMessage}, {@code countRecipient}).</li>
 *   <li>{@link moat.server.limits.AuthThrottle}: {@code check} before a password is looked at
 *       (allow, delay, locked), then {@code recordFailure}/{@code recordSuccess}. Design and
 *       reasons: docs/adr/0005-auth-lockout.md. IMAP and POP3 logins reach it through
 *       {@link moat.server.limits.LoginGate} ({@link moat.server.limits.ThrottledLogins}).</li>
 *   <li>{@link moat.server.limits.Pregreet}: early-talker detection before a plaintext greeting;
 *       {@link moat.server.limits.DataRate}: minimum average rate of a message body.</li>
 * </ul>
 * A listener maps a refusal to its own reply (SMTP {@code 421 4.7.0}, IMAP {@code * BYE}, POP3
 * {@code -ERR}, then close; the reason's code and text are in {@code docs/reasons.md}). Refusals at
 * accept ({@code moat.server.connection.Acceptor}) cost one table look-up on the accept thread:
 * no TLS, no session, no virtual thread.
 *
 * <h2>Client networks</h2>
 * Clients are counted per network, not per address: IPv4 /32 and IPv6 /64 by default
 * ({@code limits.ipv4_prefix}, {@code limits.ipv6_prefix}), because one IPv6 host can use a whole
 * /64. IPv4-mapped IPv6 addresses count as IPv4 ({@link moat.server.limits.ClientKey}).
 *
 * <h2>Security notes</h2>
 * <ul>
 *   <li>Memory is bounded: each table has a hard cap ({@code limits.max_tracked_clients},
 *       {@code limits.auth_max_tracked}); idle entries are dropped as traffic passes (a few of
 *       the oldest are examined on every write, no timer thread). <b>At the cap</b> the oldest
 *       idle entry is dropped, else the oldest one whose counts still matter: that client's rate
 *       history (or lock) is forgotten early. An entry that counts live connections is never
 *       dropped, and the cap must exceed {@code limits.max_connections}, so the connection
 *       limits always hold; only rate and lock history can be flushed, and only by an attacker
 *       who controls more distinct networks than the cap.</li>
 *   <li>All windows and lockouts read the server's injected {@link java.time.Clock}; the data
 *       rate uses {@link System#nanoTime} because it drives socket timeouts.</li>
 *   <li>The login throttle keys on the user name as typed, existing or not, and never checks a
 *       password while locked: no user-existence oracle, no password oracle.</li>
 * </ul>
 *
 * <h2>Limits</h2>
 * LIMITATION: counters are fixed windows (anvil style): a client can reach up to twice a rate
 *     around a window boundary.
 * LIMITATION: state is in memory and per node; a restart forgets it, and cluster nodes do not
 *     share it yet (DESIGN.md puts it in PostgreSQL for cluster mode).
 * LIMITATION: clients behind one NAT share a budget; there is no exemption list yet (not even
 *     smtp.trusted_networks).
 * LIMITATION: every refused connection writes one audit line; a connection flood therefore grows
 *     the audit log (rotate it; a per-client summary line would be the fix).
 * LIMITATION: the SMTP reply during a lockout is that of auth.temporary (SmtpHandler.AuthResult
 *     has no variant carrying a reason); the audit log names auth.locked_out at lock time.
 * LIMITATION: on implicit-TLS ports (465) the refusal at accept is plaintext too, so the client
 *     sees a failed handshake rather than the 421 text; doing TLS first would make refusals costly.
 * LIMITATION: the per-client message and recipient rates also apply to authenticated submission
 *     (a compromised account is throttled too), so a large site's relay host needs higher rates.
 */
package moat.server.limits;
