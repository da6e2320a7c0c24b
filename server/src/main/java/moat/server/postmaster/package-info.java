/**
 * The role addresses every mail domain must have: {@code postmaster} (RFC 5321 section 4.5.1,
 * also the bare {@code RCPT TO:<Postmaster>}, which the SMTP layer completes with the host name)
 * and {@code abuse} (RFC 2142 section 2), in every local domain and in {@code server.hostname}.
 * DMARC and TLS-RPT reports that {@code moat dns records} asks for also arrive at postmaster.
 *
 * <p>{@link PostmasterDirectory} answers them at the recipient look-up, so the SMTP code needs no
 * special case: a user or alias the admin created with that name wins; else
 * {@code server.postmaster}; else the first user ever added; else the RCPT is deferred (451,
 * nothing lost). Decision and the checks that still apply: docs/adr/0024-postmaster-and-abuse.md.
 *
 * <p>SECURITY: the fallback only routes mail; it never lets the postmaster's user send as
 * postmaster@ (sender ownership on submission still needs a real alias).
 */
package moat.server.postmaster;
