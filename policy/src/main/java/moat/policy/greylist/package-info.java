/**
 * Greylisting (the technique of Harris, 2003; Postgrey's triplet of client network, sender and
 * recipient): a first attempt is deferred with {@code 451 4.7.1}, a retry after the delay passes.
 * It exploits RFC 5321 section 4.5.4.1: a real MTA retries, most bulk senders do not.
 *
 * <p>Security: the key uses the IPv4 /24 or IPv6 /64, so a sender pool retrying from a neighbour
 * address still passes, and a client cannot escape by hopping addresses inside its /64. The
 * store is bounded (in memory) or purged by expiry (SQLite). Authenticated and allow-listed
 * sessions bypass it; so do client networks that passed {@code greylist.auto_allow_after} times.
 *
 * <p>LIMITATION: off by default (ADR 0006: it delays first mail, e.g. password-reset messages,
 * by the sender's retry interval); no SPF-validated sender-domain bypass yet; the delay is
 * measured from the first attempt, not the last.
 */
package moat.policy.greylist;
