/**
 * POP3 server protocol (RFC 1939) as a pure state machine: no sockets, no threads.
 * {@link moat.protocol.pop3.Pop3Session} takes command lines and returns
 * {@link moat.protocol.pop3.Action}s; {@link moat.protocol.pop3.MessageEncoder} dot-stuffs RETR/TOP.
 * The server module does the I/O and implements {@link moat.protocol.pop3.Pop3Handler} and
 * {@link moat.protocol.pop3.Maildrop} over the directory and the store.
 *
 * <p>Standards: RFC 1939 (POP3), RFC 2449 (CAPA, response codes), RFC 2595 (STLS), RFC 3206
 * (SYS and AUTH response codes), RFC 5034 (SASL AUTH with initial response), RFC 4616 (PLAIN),
 * RFC 8314 (implicit TLS on 995).
 *
 * <p>Security:
 * <ul>
 * <li>No password on a plaintext channel: before TLS, CAPA lists STLS but neither USER nor SASL,
 *     and USER, PASS and AUTH answer "-ERR [AUTH] TLS required". APOP is not offered (it needs the
 *     plaintext password on the server and MD5).</li>
 * <li>After STLS the session forgets any USER; the I/O layer drops every byte pipelined behind
 *     the STLS command (CVE-2011-0411 class).</li>
 * <li>USER answers the same for every name; failed logins are counted per connection and the
 *     connection is closed after {@code maxAuthFailures}; throttling across connections is the
 *     server's login gate. Audit events never carry a password or SASL payload.</li>
 * <li>Deletions are marks until QUIT (UPDATE state); a dropped or timed-out connection deletes
 *     nothing. Message numbers are fixed for the session; numbers are parsed as digits only, so
 *     huge or negative numbers are ordinary "-ERR" responses.</li>
 * <li>Line length and refused-command count are bounded ({@link moat.protocol.pop3.Pop3Limits}).</li>
 * </ul>
 *
 * <p>LIMITATION: only the PLAIN SASL mechanism; no APOP, no LOGIN-DELAY/EXPIRE advertisements,
 * no UTF8 (RFC 6856) or LANG. The maildrop is the INBOX only. A message expunged by IMAP while a
 * POP3 session holds it answers "-ERR [SYS/TEMP]" on RETR.
 */
package moat.protocol.pop3;
