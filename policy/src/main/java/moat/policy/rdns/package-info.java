/**
 * Reverse-DNS checks on the connecting client: no PTR record, PTR not forward-confirmed
 * ({@link moat.policy.rdns.Iprev}, the "iprev" method of RFC 8601 section 3, whose tokens it
 * uses), and PTR names that look generic or dynamic (the heuristic of Postfix's
 * {@code reject_unknown_reverse_client_hostname} era and of many access-network naming schemes).
 *
 * <p>Security: reverse DNS is controlled by whoever holds the address block, so a pass proves
 * little; a fail proves mostly carelessness. Hence the defaults score instead of refusing
 * (ADR 0006). A DNS failure (temperror) never counts against the client.
 *
 * <p>LIMITATION: the generic-name heuristic is English-centric and IPv4-only (IPv6 PTR names are
 * rarely generic-but-present); at most 10 PTR names are checked.
 */
package moat.policy.rdns;
