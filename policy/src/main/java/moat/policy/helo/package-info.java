/**
 * HELO/EHLO checks: syntax (RFC 5321 section 4.1.1.1 and 4.1.3: a domain or an address
 * literal), fully-qualified name, address literal matching the client, a client claiming to be
 * this server (its host name, a local domain or one of its addresses: a classic forgery), and a
 * name with no A, AAAA or MX record. Postfix's {@code reject_invalid_helo_hostname},
 * {@code reject_non_fqdn_helo_hostname} and {@code reject_unknown_helo_hostname} are the models.
 *
 * <p>Security: the HELO name is the client's own claim and proves nothing; only the forged case
 * is refused by default (ADR 0006). A DNS failure never counts against the client.
 *
 * <p>LIMITATION: "our addresses" are the machine's interface addresses at start-up; an address
 * behind NAT is not known unless listed in {@code helo.our_addresses}.
 */
package moat.policy.helo;
