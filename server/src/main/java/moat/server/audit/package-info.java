/**
 * The audit log: one JSON object per line for every SMTP connection, transaction, refusal and
 * login, with a UTC timestamp in milliseconds and the stable reason code of every refusal (the
 * same code the reply carries, see {@link moat.core.Reason}). Every event and its fields are
 * defined once in {@link moat.core.Event} ({@code docs/events.md}); {@link moat.server.audit.AuditLog}
 * is the event stream and {@link moat.server.audit.JsonLinesSink} the file, its one sink so far
 * (docs/adr/0026-event-catalogue.md).
 *
 * <p>Security: never writes a password or an AUTH payload; client-supplied text is escaped by
 * the JSON encoder so a hostile HELO cannot forge log lines.
 *
 * <p>LIMITATION: shipping to a remote log server (RFC 5424 over TLS) is not built yet; point
 * rsyslog's imfile at the file meanwhile.
 */
package moat.server.audit;
