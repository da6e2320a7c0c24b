/**
 * The audit log: one JSON object per line for every SMTP connection, transaction, refusal and
 * login, with a UTC timestamp in milliseconds and the stable reason code of every refusal (the
 * same code the reply carries, see {@link moat.core.Reason}). Every event and its fields are
 * defined once in {@link moat.core.Event} ({@code docs/events.md}); {@link moat.server.audit.AuditLog}
 * is the event stream and {@link moat.server.audit.JsonLinesSink} the plain JSON lines sink
 * (docs/adr/0026-event-catalogue.md).
 *
 * <p>The server's file is {@link moat.server.audit.ChainedFileSink}: tamper-evident, each line
 * with {@code seq} and a SHA-256 {@code hash} chaining it to the line before
 * ({@link moat.server.audit.AuditChain}), and {@code audit.checkpoint} lines signed with an
 * Ed25519 key created in the data dir ({@link moat.server.audit.AuditKey});
 * {@link moat.server.audit.ChainVerifier} is {@code moat log verify}
 * (docs/adr/0027-tamper-evident-audit-log.md).
 *
 * <p>Security: never writes a password or an AUTH payload; client-supplied text is escaped by
 * the JSON encoder so a hostile HELO cannot forge log lines.
 *
 * <p>Security: the chain finds an edited, inserted, deleted or moved line; the signatures find
 * a stretch rewritten with recomputed hashes; a cut-off tail after the last checkpoint is only
 * visible against a copy kept elsewhere.
 *
 * <p>LIMITATION: shipping to a remote log server (RFC 5424 over TLS) is not built yet; point
 * rsyslog's imfile at the file meanwhile. Rotation, compression and retention:
 * {@link moat.server.audit.AuditFiles}.
 */
package moat.server.audit;
