/**
 * Mail authentication in the SMTP path: SPF at MAIL FROM as policy rules ({@link
 * moat.server.mailauth.SpfCheck}), DKIM verification while DATA streams, DMARC (with a trusted-ARC
 * override) at end of DATA, the Authentication-Results field, and DKIM signing on submission with
 * keys under {@code data_dir/dkim} ({@link moat.server.mailauth.DkimKeyStore}).
 *
 * <p>Standards: RFC 7208 (SPF), RFC 6376 / RFC 8301 / RFC 8463 (DKIM), RFC 7489 (DMARC),
 * RFC 8617 (ARC), RFC 8601 (Authentication-Results), RFC 7372 (enhanced status codes 5.7.23,
 * 4.7.24). Decisions and defaults: docs/adr/0009-mail-authentication-actions.md.
 *
 * <p>Security: the header section is held in memory only up to smtp.max_header_size; the body
 * streams. Authentication-Results fields claiming our authserv-id are removed before storage. A
 * DNS failure defers (SPF) or delivers (DMARC), never refuses permanently. Private keys are
 * created with mode 0600; a signature is never made for a From the user does not own.
 *
 * <p>LIMITATION: ARC verification (only when a trusted sealer could override a DMARC fail)
 * reads the whole message into memory, bounded by smtp.max_message_size.
 * LIMITATION: only the From domain's own keys sign (no parent-domain keys for subdomains).
 * LIMITATION: new keys are used after a restart; there is no per-domain selector setting.
 * LIMITATION: iprev is not yet in Authentication-Results.
 * LIMITATION: mail relayed from smtp.trusted_networks on port 25 is not signed (only authenticated
 * submission is) and gets an Authentication-Results field without SPF.
 */
package moat.server.mailauth;
