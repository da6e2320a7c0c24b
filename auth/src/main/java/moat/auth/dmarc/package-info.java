/**
 * Domain-based Message Authentication, Reporting and Conformance (RFC 7489): the one verb
 * {@link moat.auth.dmarc.Dmarc#evaluate} takes the RFC5322.From domain, the SPF result of the MAIL
 * FROM identity and the DKIM results, and answers a {@link moat.auth.dmarc.DmarcResult}: pass when
 * SPF or DKIM passed for an aligned domain (section 3.1, relaxed via
 * {@link moat.auth.psl.PublicSuffixList#organizationalDomain} or strict per aspf=/adkim=), else fail
 * with the policy (p=, or sp= for a subdomain whose record came from the Organizational Domain)
 * and the disposition after pct= sampling; none without a record; temperror on a DNS failure.
 *
 * <p>Standards: RFC 7489 sections 3.1 (alignment), 3.2 (Organizational Domain), 6.3/6.4 (record
 * syntax), 6.6.3 (policy discovery: {@code _dmarc.<from>}, then {@code _dmarc.<org domain>}; records
 * not starting with v=DMARC1 are discarded; several records mean no policy), 6.6.4 (pct: the
 * unselected share gets the next milder policy); RFC 8601 / RFC 7489 section 11.2 result tokens.
 * Record errors (ADR 0008): a record without a valid p= (or with an invalid sp=) acts as p=none
 * when it has a valid rua= (section 6.6.3 step 6), otherwise it is {@code permerror} with no
 * policy; other bad tag values fall back to their defaults (section 6.3).
 *
 * <p>DMARCbis notes: pct= is dropped by DMARCbis in favour of t=y; Moat applies pct= as RFC 7489
 * says and reads a DMARCbis {@code t=y} (without pct=) as pct=0. The random draw for pct= comes
 * from the injected {@link java.util.random.RandomGenerator}, so tests are exact.
 *
 * <p>Security: at most two TXT queries per message (no tree walk), each bounded by the resolver;
 * a DNS failure is temperror, never "no policy" (a forger must not win by timing out our
 * resolver). A pass needs an SPF or DKIM pass: "testing" DKIM keys (t=y) still count, as RFC 7489
 * does not exclude them. The From domain is IDNA-converted and validated before it is queried.
 *
 * <p>LIMITATION: no aggregate or failure reports (rua=/ruf= are read only for step 6), no np=
 * (DMARCbis non-existent subdomain policy), no DMARCbis tree walk (discovery stops at the
 * Organizational Domain), no psd= handling. The caller extracts the From domain and must treat a
 * message with zero or several From addresses itself (section 6.6.1). The SPF result is taken
 * for the domain it names (MAIL FROM, or HELO when the reverse-path was empty).
 */
package moat.auth.dmarc;
