/**
 * The audit log: one JSON object per line for every SMTP connection, transaction, refusal and
 * login, with a UTC timestamp in milliseconds and the stable reason code of every refusal (the
 * same code the reply carries, see {@link moat.core.Reason}).
 *
 * <p>Security: never writes a password or an AUTH payload; client-supplied text is escaped by
 * the JSON encoder so a hostile HELO cannot forge log lines.
 *
 * <p>LIMITATION: shipping to a remote log server (RFC 5424 over TLS) is not built yet; point
 * rsyslog's imfile at the file meanwhile.
 */
package moat.server.audit;
