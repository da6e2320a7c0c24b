/**
 * The DNS service provider interface: {@link moat.core.dns.Resolver} answers TXT, A, AAAA, MX and
 * PTR queries (RFC 1035; reverse names per RFC 1035 section 3.5 and RFC 3596 section 2.5) as a
 * sealed {@link moat.core.dns.DnsResult}: an answer, NXDOMAIN, NODATA or a temporary failure.
 * Mail authentication (SPF, DKIM, DMARC), DNS block lists (RFC 5782) and outbound delivery use
 * only this interface; the dnsjava-backed implementation lives in another module, and
 * {@link moat.core.dns.StaticZone} is an in-memory zone for tests and dry runs.
 *
 * <p>Security: a resolver never throws for a DNS failure and never turns a failure into "no
 * record": a timeout is a {@code TempFail}, so callers defer instead of accepting forged mail.
 * The {@code dnssecAuthenticated} flag is only as trustworthy as the path to the validating
 * resolver that set it.
 *
 * <p>LIMITATION: no TTLs, no record types beyond the six mail needs (TXT, A, AAAA, MX, PTR, and
 * TLSA for DANE, a default method answering NODATA; SRV comes later), and
 * {@code StaticZone} has no wildcards and no delegation: names match exactly.
 */
package moat.core.dns;
