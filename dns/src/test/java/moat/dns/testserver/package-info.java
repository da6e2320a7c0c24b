/**
 * FOR TESTS AND DRY RUNS ONLY: {@link moat.dns.testserver.TestDnsServer}, an in-JVM authoritative
 * DNS server (UDP and TCP on one loopback port) built on dnsjava's {@code Zone}, answering from
 * master-file text (RFC 1035 section 5). It lives in the test sources and ships only in the test
 * artifact {@code moat-dns:test-jar}, which the tests of other modules (policy, server, the
 * perimeter benchmark) depend on in test scope: it is not in the server jar nor in
 * {@code server/target/lib}.
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
