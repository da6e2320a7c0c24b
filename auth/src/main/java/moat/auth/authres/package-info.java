/**
 * Authentication-Results (RFC 8601): {@link moat.auth.authres.AuthenticationResults} renders this
 * host's SPF, DKIM, DMARC, ARC and iprev results as one header field, and
 * {@link moat.auth.authres.AuthenticationResults#claims} recognises received fields that carry our
 * authserv-id so the receiving path can delete them (section 5: "MUST ... delete" such fields
 * from outside the trust boundary, else a sender forges our verdict).
 *
 * <p>Standards: RFC 8601 sections 2.2 (syntax, "none"), 2.5 (authserv-id), 2.7 (method and
 * property names: smtp.mailfrom, smtp.helo, header.d, header.s, header.b (RFC 6008),
 * header.from (RFC 7489 section 11.2), policy.iprev (section 3)), 5 (removal); RFC 8617 section
 * 10 for "arc"; RFC 2045 section 5.1 tokens; RFC 5322 section 2.1.1 line length (folded below
 * 78 columns between properties).
 *
 * <p>Security: everything taken from a message (DKIM reasons, selectors, names) is reduced to
 * printable ASCII, cut to 100 characters and written as a quoted-string or comment with escapes,
 * so a crafted signature cannot inject a header line or end the field early. {@code claims}
 * compares case-insensitively, skips comments (nested) and folding before the id, and accepts a
 * quoted id, so a forged field cannot hide behind syntax.
 *
 * <p>LIMITATION: no "version" after the authserv-id (RFC 8601 version 1 is implied); reason=
 * only on failing DKIM and ARC results; header.i and header.a are not rendered; a single property
 * longer than a line (a very long smtp.mailfrom) is not split and may pass 78 columns (the hard
 * limit of 998 is never reached: values are bounded).
 */
package moat.auth.authres;
