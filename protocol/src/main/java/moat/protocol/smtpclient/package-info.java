/**
 * SMTP client protocol (RFC 5321) for outbound delivery, without I/O:
 * {@link moat.protocol.smtpclient.ReplyParser} joins reply lines,
 * {@link moat.protocol.smtpclient.Capabilities} reads an EHLO reply,
 * {@link moat.protocol.smtpclient.ClientTransaction} drives MAIL/RCPT/DATA or BDAT with per-recipient
 * results, {@link moat.protocol.smtpclient.DotStuffer} encodes DATA. The server module
 * ({@code moat.delivery}) owns sockets, TLS, timeouts and the greeting/EHLO/STARTTLS steps.
 *
 * <p>Standards: RFC 5321 (sections 3.3, 4.2, 4.5.2 dot-stuffing, 4.5.3.2 timeouts named by
 * {@link moat.protocol.smtpclient.ClientTransaction.Phase}), RFC 2920 PIPELINING, RFC 3030
 * CHUNKING, RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8, RFC 2034/3463 enhanced status.
 *
 * <p>Security: a reply is bounded ({@link moat.protocol.smtpclient.ReplyParser#MAX_LINES} lines;
 * the I/O layer bounds a line), and a malformed one is a value, not an exception. An enhanced
 * status of the wrong class is kept as text, never trusted.
 *
 * <p>The state machine sends what it is given: a message with 8-bit octets to a peer without
 * 8BITMIME fails with 5.6.3 here; the transport converts such a body to 7-bit first
 * ({@link moat.protocol.mime.SevenBit}) and only what cannot be converted reaches that check.
 *
 * <p>LIMITATION: no BINARYMIME; DSN extension parameters (RFC 3461 NOTIFY, ORCPT) are not sent.
 */
package moat.protocol.smtpclient;
