/**
 * DNS for the server: {@link moat.dns.DnsjavaResolver} implements the {@link moat.core.dns.Resolver}
 * SPI with dnsjava as a stub resolver (RFC 1035; negative caching RFC 2308; CNAME chains RFC 1034
 * section 3.6.2) in front of the upstream recursive resolvers named in {@code dns.resolvers} or
 * {@code /etc/resolv.conf} ({@link moat.dns.ResolvConf}).
 *
 * <p>Security: every query has a timeout and a failure is a {@code TempFail}, never "no record",
 * so a DNS outage defers mail instead of accepting what a check would have refused (or refusing
 * what it would have accepted). DNSSEC status is the upstream's AD bit (RFC 6840 section 5.7),
 * trustworthy only over a trusted path (a validating resolver on loopback). Answers are checked
 * against the question (dnsjava also checks the id and source) before use.
 *
 * <p>LIMITATION: no own DNSSEC validation, no DNS over TLS to upstreams, no request coalescing in
 * the cache, and IPv6 link-local upstreams (with a scope id) are ignored.
 */
package moat.dns;
