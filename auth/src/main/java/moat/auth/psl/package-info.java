/**
 * The Public Suffix List: which part of a domain name is a public registry suffix ("com",
 * "co.uk", "*.ck" except "www.ck"), and so which name is the Organizational Domain that DMARC
 * alignment compares (RFC 7489 section 3.2). One verb for DMARC,
 * {@link moat.auth.psl.PublicSuffixList#organizationalDomain}; {@code registrableDomain} answers the
 * list's own test cases (the auth module's test resource {@code vectors/psl/test_psl.txt}, all 78
 * active ones pass against the bundled list).
 *
 * <p>Updating: Moat ships a copy of {@code public_suffix_list.dat} (MPL 2.0, licence header kept)
 * as the class-path resource {@code moat/auth/psl/public_suffix_list.dat}
 * ({@link moat.auth.psl.PublicSuffixList#bundled}). The list changes every week; an administrator
 * points the setting {@code dmarc.public_suffix_list} at a newer file downloaded from
 * https://publicsuffix.org/list/public_suffix_list.dat and it is read with
 * {@link moat.auth.psl.PublicSuffixList#load} at start. Moat never downloads it itself.
 *
 * <p>Security: a stale list only makes alignment coarser or finer for the few suffixes added
 * since; the worst case is that two customers of a new hosting suffix align with each other
 * (relaxed mode), which is why the private section is loaded too. The parser is bounded
 * ({@code MAX_RULES} rules, 1024-character lines) so a wrong file cannot exhaust memory.
 *
 * <p>LIMITATION: names are converted to A-labels with {@link java.net.IDN} (IDNA2003); the few rules
 * IDNA2003 refuses are kept lower-cased as written and match only that spelling. The list is read
 * once: a changed file takes effect at restart. A name that is itself a public suffix is its own
 * Organizational Domain (RFC 7489 does not say; DMARCbis's tree walk gives the same answer).
 */
package moat.auth.psl;
