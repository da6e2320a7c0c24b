/**
 * Outbound delivery: {@link moat.delivery.QueueRunner} claims due rows of the durable
 * outbound queue ({@link moat.store.OutboundQueue}), finds the mail exchangers
 * ({@link moat.delivery.MxResolver}, RFC 5321 section 5, RFC 7505 null MX), speaks SMTP to
 * them ({@code SmtpTransport} over the I/O-free {@link moat.protocol.smtpclient} state machine),
 * retries with exponential back-off and jitter, and writes RFC 3464 DSNs into the authenticated
 * submitter's INBOX. Settings: {@link moat.delivery.DeliverySettings}. Decisions:
 * docs/adr/0011-outbound-delivery.md.
 *
 * <p>Its own module ({@code moat-delivery}), which does not import the server
 * (docs/adr/0025-module-layout.md): {@link moat.delivery.DeliveryAssembly} is the entry point, and
 * what the server provides comes in through its {@code Needs} record (settings read through
 * {@link moat.core.config.SettingValues}, events through {@link moat.core.Audit}, the PEM reader
 * for {@code delivery.tls_ca_file}).
 *
 * <p>Security: no bounce ever leaves the server and none goes to an unauthenticated sender (no
 * backscatter); STARTTLS is opportunistic (RFC 7435) with TLS 1.2/1.3 only, the certificate check
 * is recorded in the audit log; remote reply text is bounded and stripped of control characters
 * before it reaches a DSN or the log; every read has a timeout and every write of message data
 * a watchdog.
 *
 * <p>A smart host ({@code delivery.relay_host}) takes every remote message over STARTTLS, with
 * AUTH PLAIN inside TLS only. Sending rates per authenticated user and per recipient domain
 * ({@code delivery.user_rate}, {@code delivery.domain_rate}) hold excess mail in the queue.
 *
 * <p>Per-domain next hops ({@code delivery.transports}, {@link moat.delivery.Transports}:
 * edge relay, backup MX) come before the smart host and MX look-up; they get opportunistic
 * STARTTLS, no MTA-STS and no DANE, and a hop that does not resolve defers, never fails
 * (docs/adr/0012-edge-relay-transports.md).
 *
 * <p>MTA-STS (RFC 8461, {@code MtaSts}): enforced policies restrict delivery to the listed MX hosts
 * over verified TLS; policies are cached until max_age in a file of the data directory
 * ({@code MtaStsCache}), so they survive restarts. DANE (RFC 7672, {@code Dane}): validated DANE-EE and DANE-TA TLSA records
 * authenticate the MX (and forbid plaintext); DANE-TA checks the PKIX path up to the matched
 * certificate at the injected clock's time and the MX host name (RFC 6125 wildcards).
 *
 * <p>TLS-RPT (RFC 8460, {@code TlsRpt}, {@code TlsRptReport}): TLS results per recipient domain and
 * UTC day, reported daily as DKIM-signed gzip'd JSON through the own queue to the domain's
 * {@code mailto:} rua addresses (docs/adr/0021-outbound-tls-state-and-reports.md).
 *
 * <p>ARC (RFC 8617, {@code ArcForwarder}): mail that an alias forwards off-site leaves with an ARC
 * set sealed by the alias domain's DKIM key, added to the bytes sent only (docs/adr/0013-arc-forwarding.md).
 *
 * <p>Connection reuse ({@code ConnectionCache}, {@link moat.delivery.ConnectionCacheSettings},
 * docs/adr/0022-outbound-connection-reuse.md): after a transaction the connection waits up to
 * {@code delivery.connection_cache_time} for the next message with the same next hop and exactly
 * the same target (host, address, port, TLS requirement, DANE records, AUTH), which sends RSET
 * (RFC 5321 section 4.1.1.5) first; a connection that failed, answered 421, or reached its count or
 * age limit is closed instead. The due groups of one domain are sent in at most
 * {@code delivery.max_connections_per_domain} lanes, one group after the other, so they share
 * those connections. Security: a connection is never shared between recipient domains (MX
 * delivery), so one domain's MTA-STS or DANE decision never carries another domain's mail.
 *
 * <p>LIMITATION: connections are reused only within one process and one next hop (no sharing
 * between domains with the same MX); an unreachable destination is tried again by each group (no
 * dead-destination memory); no https: TLS-RPT report delivery; no REQUIRETLS (RFC 8689); rate windows are in memory (a restart forgets them); an 8-bit body converted to 7-bit for a peer without 8BITMIME no longer matches its DKIM signatures; DSNs are plain RFC 3464 even for
 * SMTPUTF8 messages (no RFC 6533 message/global-delivery-status). When Moat is itself an MX of a
 * relay domain it does not prune the MX list (RFC 5321 section 5.1): a backup MX should use
 * {@code delivery.transports}. {@code smtp.relay_recipients} is a static list in moat.toml (no
 * look-up of the internal server's users, e.g. by SMTP callout or LDAP).
 */
package moat.delivery;
