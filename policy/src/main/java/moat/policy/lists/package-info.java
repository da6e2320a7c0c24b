/**
 * Server-wide allow and deny lists ({@code policy.allow_*}, {@code policy.deny_*}): client
 * networks (CIDR, IPv4 and IPv6; an IPv4-mapped IPv6 client matches IPv4 entries), HELO names,
 * sender addresses and sender domains with subdomain matching. Postfix's
 * {@code check_client_access}/{@code check_sender_access} with OK/REJECT, without lookup tables.
 *
 * <p>Security: deny wins over allow; allow only skips reputation checks (rDNS, HELO, DNSBL,
 * greylisting), never relay control. Sender and HELO entries are forgeable by the client.
 *
 * <p>{@link moat.policy.lists.UserListsCheck}: each user's own allow and block lists (sender
 * address, sender domain, client network), looked up at RCPT through a
 * {@link moat.policy.lists.UserListsCheck.Source}; a block refuses only that recipient, an allow
 * trusts only that recipient (docs/adr/0010-per-user-lists.md).
 *
 * <p>LIMITATION: server-wide lists come from the config file only (reloaded with a restart); no
 * regular expressions.
 */
package moat.policy.lists;
