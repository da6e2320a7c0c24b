/**
 * SMTP listeners: port 25 (MX), 587 (submission with STARTTLS) and 465 (implicit TLS, RFC 8314).
 * One virtual thread per connection, a timeout on every read, a session deadline. The
 * {@link moat.server.smtp.DeliveryHandler} connects the protocol state machine to the relay
 * policy, the directory and the durable store: it opens one handler per connection, whose state
 * (policy findings, the message being written, the transaction's audit fields) is plain fields
 * that die with the connection, and runs end of data as named steps (authenticate, scan, route,
 * commit, reply; docs/adr/0026).
 *
 * <p>Security: no open relay ({@link moat.server.smtp.RelayPolicy}); unknown local recipients are
 * refused at RCPT (no backscatter); bytes pipelined after STARTTLS are discarded; a bug in one
 * connection closes that connection only.
 *
 * <p>LIMITATION: connection-rate and authentication-failure limits, DNSBL, SPF/DKIM/DMARC are not
 * wired in yet (next milestones); rDNS is not looked up for the Received header.
 */
package moat.server.smtp;
