/**
 * This machine's identity as the mail world sees it: the host name in greetings, EHLO, the
 * certificate and the MX record, and the addresses and PTR records that go with it.
 * {@link moat.server.hostname.HostNameCheck} detects the name when server.hostname is not set
 * (the FQDN, as {@code hostname -f}) and checks it: not localhost, fully qualified, and
 * forward-confirmed (its A/AAAA records name an address of this host). Used by the start-up
 * warnings, {@code moat config check} and {@code moat dns records|check}.
 */
package moat.server.hostname;
