/**
 * Sender Policy Framework, RFC 7208: does the domain in MAIL FROM (or HELO, when the
 * reverse-path is empty) authorise this client address to send for it? The one entry verb is
 * {@link moat.auth.spf.Spf#check}, answering an {@link moat.auth.spf.SpfResult} named by the RFC's
 * own tokens (pass, fail, softfail, neutral, none, permerror, temperror), the directive that
 * decided and, for fail, the explanation. DNS goes through {@link moat.core.dns.Resolver} only.
 *
 * <p>Standards: RFC 7208 (record selection 4.5, evaluation 4.6, mechanisms 5, modifiers 6,
 * macros 7); the openspf.org RFC 7208 test suite runs in full in {@code Rfc7208SuiteTest}.
 *
 * <p>Security: a record is an attacker's program run on our resolver, so evaluation is bounded as
 * section 4.6.4 demands: at most 10 terms that query DNS (include, a, mx, ptr, exists, redirect)
 * across all includes and redirects, at most 2 void lookups (NXDOMAIN/NODATA), at most 10 MX
 * names per "mx" and 10 PTR names per "ptr"; a longer chain is permerror, so one message cannot
 * turn us into a DNS amplifier (section 11.1). A DNS timeout is temperror, never "no policy". The
 * explanation is attacker text placed in our 550 reply: its parser accepts only printable ASCII
 * and spaces (no CR/LF injection) and it is cut at {@code Spf.MAX_EXPLANATION} characters.
 * Domain-specs are checked on the unexpanded text (section 7.1) and expanded names are truncated
 * from the left to 253 octets (section 7.3).
 *
 * <p>LIMITATION: %{p} and the "ptr" mechanism trust PTR names only after a forward lookup gives
 * the client back (section 5.5), but both are slow and discouraged; their PTR/address queries for
 * %{p} are not counted as terms. The HELO identity is checked only when MAIL FROM is empty (the
 * caller may call {@link moat.auth.spf.Spf#check} with a null MAIL FROM to check HELO on its own).
 * No result caching: the resolver is expected to cache. Non-ASCII (SMTPUTF8) local-parts are
 * expanded as they are; %{l} URL-escaping uses their UTF-8 octets.
 */
package moat.auth.spf;
