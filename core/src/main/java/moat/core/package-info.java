/**
 * Value types shared by every Moat module: {@link moat.core.Domain} (IDNA-normalised),
 * {@link moat.core.EmailAddress} (RFC 5321 section 4.1.2 mailbox), {@link moat.core.IpPrefix},
 * {@link moat.core.Reply} with {@link moat.core.EnhancedStatus} (RFC 3463), and the single
 * catalogue of refusal {@link moat.core.Reason}s, the catalogue of audit {@link moat.core.Event}s
 * with the {@link moat.core.EventSink} interface of the event stream, and {@link moat.core.PeerText},
 * the one sanitizer for text from peers (docs/adr/0026).
 *
 * <p>Security: parsing is strict on purpose. An address that a lenient parser would accept
 * (trailing dot, source route, unquoted specials) is refused rather than "repaired", because a
 * repaired address is how relay tricks get through. Text from a peer goes into a reply, a header
 * or a log only through {@link moat.core.PeerText}, with the rule of that destination.
 *
 * <p>LIMITATION: IDNA uses {@link java.net.IDN} (IDNA2003 mapping), not full UTS 46.
 */
package moat.core;
