/**
 * FOR TESTS AND DRY RUNS ONLY: {@link moat.dns.testserver.TestDnsServer}, an in-JVM authoritative
 * DNS server (UDP and TCP on one loopback port) built on dnsjava's {@code Zone}, answering from
 * master-file text (RFC 1035 section 5). It lives in main sources so the tests of every module
 * (policy, server) can start it; production code never references it.
 *
 * <p>It can drop queries (to provoke timeouts) and answer SERVFAIL for chosen names, and set the
 * AD bit to stand in for a validating resolver.
 *
 * <p>Security: binds loopback only by default; it is not hardened (no rate limiting, no
 * response-size policy beyond truncation at 512 octets or the EDNS size) and must never face a
 * network. LIMITATION: no wildcards beyond what dnsjava's {@code Zone} gives, no delegation
 * following, no DNSSEC signing, no zone transfers.
 */
package moat.dns.testserver;
