/**
 * DNS block lists (DNSBL) on the client IP and right-hand-side lists (RHSBL) on the HELO and
 * sender domains, per RFC 5782: IPv4 query names with reversed octets (section 2.1), IPv6 with
 * 32 reversed nibbles (section 2.4), domain names prefixed as they are (section 2.2). Each zone
 * has a weight and the return codes that mean "listed" ({@link moat.policy.dnsbl.DnsblZone}).
 *
 * <p>Security and privacy: no zone is configured by default, so a fresh install sends no client
 * address to any third party (ADR 0006); most public lists need a local recursive resolver (not
 * a shared public one) and forbid commercial use without a licence. A timeout or SERVFAIL is
 * never a listing, and answers outside 127.0.0.0/8 or in 127.255.255.0/24 (list errors) are
 * ignored.
 *
 * <p>LIMITATION: the lists' TXT explanations are not fetched; zones are queried one after
 * another (each bounded by {@code dns.timeout}), not in parallel.
 */
package moat.policy.dnsbl;
