/**
 * SMTP server protocol (RFC 5321) as pure state machines: no sockets, no threads.
 * {@link moat.protocol.smtp.SmtpSession} takes command lines and returns {@link moat.protocol.smtp.Action}s;
 * {@link moat.protocol.smtp.DataDecoder} turns the DATA/BDAT byte stream into message octets.
 * The server module does the I/O and implements {@link moat.protocol.smtp.SmtpHandler}.
 *
 * <p>Standards: RFC 5321 (SMTP), RFC 1870 (SIZE), RFC 6152 (8BITMIME), RFC 2034/3463 (enhanced
 * status codes), RFC 2920 (PIPELINING), RFC 3030 (CHUNKING/BDAT), RFC 3207 (STARTTLS), RFC 4954
 * (AUTH), RFC 6531 (SMTPUTF8), RFC 8314 (implicit TLS submission).
 *
 * <p>Security:
 * <ul>
 * <li>End of data is exactly CRLF.CRLF; any bare CR or bare LF in DATA or BDAT refuses the message
 *     (SMTP smuggling, CVE-2023-51764 class) and cannot end it early.</li>
 * <li>After STARTTLS the session forgets everything (RFC 3207 section 4.2); the I/O layer drops
 *     any byte pipelined behind the STARTTLS command (CVE-2011-0411 class).</li>
 * <li>AUTH is neither advertised nor accepted without TLS; VRFY and EXPN confirm nothing.</li>
 * <li>Addresses are parsed strictly: source routes, address literals as recipients, trailing
 *     dots and unquoted specials are refused, never "repaired" into something routable.</li>
 * <li>Every line, header, message, recipient list, transaction count and error count is bounded
 *     ({@link moat.protocol.smtp.SmtpLimits}), each with its reply.</li>
 * </ul>
 *
 * <p>LIMITATION: DSN parameters (RFC 3461 RET, ENVID, NOTIFY, ORCPT) are not advertised and are
 * refused with 555; BINARYMIME is not offered.
 */
package moat.protocol.smtp;
