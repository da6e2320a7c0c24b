/**
 * Value types shared by every Moat module: {@link moat.core.Domain} (IDNA-normalised),
 * {@link moat.core.EmailAddress} (RFC 5321 section 4.1.2 mailbox), {@link moat.core.IpPrefix},
 * {@link moat.core.Reply} with {@link moat.core.EnhancedStatus} (RFC 3463), and the single
 * catalogue of refusal {@link moat.core.Reason}s.
 *
 * <p>Security: parsing is strict on purpose. An address that a lenient parser would accept
 * (trailing dot, source route, unquoted specials) is refused rather than "repaired", because a
 * repaired address is how relay tricks get through.
 *
 * <p>LIMITATION: IDNA uses {@link java.net.IDN} (IDNA2003 mapping), not full UTS 46.
 */
package moat.core;
