/**
 * DomainKeys Identified Mail: verifying and making the signatures that let a domain take
 * responsibility for a message. Verification is {@link moat.auth.dkim.DkimVerifier#begin} (header
 * fields once), {@link moat.auth.dkim.DkimVerification#update} (the body, streamed in chunks) and
 * {@link moat.auth.dkim.DkimVerification#finish}, answering one {@link moat.auth.dkim.DkimResult}
 * per DKIM-Signature with the RFC 8601 token (pass, fail, policy, temperror, permerror; an empty
 * list is "none") and header.d/s/i/a/b. Signing is {@link moat.auth.dkim.DkimSigner} with a
 * {@link moat.auth.dkim.DkimSigningKey}; {@link moat.auth.dkim.DkimKeys} generates keys, reads and
 * writes PKCS#8 PEM and prints the TXT record. DNS goes through {@link moat.core.dns.Resolver}.
 *
 * <p>Standards: RFC 6376 (tag lists 3.2, canonicalisation 3.4, signature fields 3.5, key records
 * 3.6, signing 5, verifying 6), RFC 8301 (rsa-sha1 refused, RSA keys of fewer than 1024 bits
 * never trusted, 2048 to sign), RFC 8463 (ed25519-sha256), RFC 8601 and RFC 6008 (result
 * tokens, header.b). The RFC 8463 Appendix A message verifies (both signatures); the RFC 6376
 * Appendix A.2 message fails on its printed body hash, as it should; dkimpy verifies what Moat
 * signs and the other way round ({@code DkimpyInteropTest}).
 *
 * <p>Security:
 * <ul>
 * <li>l= (section 8.2): a signature with l= covers only a prefix of the body; anyone can append
 *     after it. Such a pass carries {@link moat.auth.dkim.DkimResult#partialBody()} and the raw
 *     offset where signed content ends, so a later policy can strip or refuse what is unsigned.
 *     Moat never signs with l=.</li>
 * <li>Over-signing (section 8.15): an added From or Subject above a signed one would be shown to
 *     the reader while the signature still verified. The signer lists From, To, Subject and Date
 *     once more than present, so an added instance breaks the signature.</li>
 * <li>Keys: rsa-sha1 is permerror "algorithm not allowed"; an RSA key under
 *     {@code dkim.min_rsa_bits} (1024) fails; Moat refuses to sign with RSA under 2048 bits. An
 *     empty p= (revoked) fails; t=s insists i= has exactly the d= domain; t=y is reported in
 *     {@link moat.auth.dkim.DkimResult#testing()} and must not be trusted.</li>
 * <li>Limits: at most {@code dkim.max_signatures} (5) signatures are evaluated, one key query each
 *     (section 8.4: a message must not make us an amplifier); the rest are "policy". The header
 *     section, its field count, tag lists (64 tags) and key records (4096 octets) are bounded.
 *     Bodies are never held: one streaming hasher per distinct (body canonicalisation, hash, l=).</li>
 * <li>A DNS failure is temperror, never "no key": the caller defers instead of judging.</li>
 * <li>Expired signatures (x= in the past by the injected clock) fail.</li>
 * </ul>
 *
 * <p>LIMITATION: the first TXT record at the key name is used when there are several (section
 * 3.6.2.2 leaves it undefined). A future t= is accepted (no clock-skew check). RSA keys published
 * as a bare PKCS#1 RSAPublicKey instead of SubjectPublicKeyInfo are refused (permerror). Header
 * fields must end in CRLF; a bare LF is an ordinary octet (Moat's SMTP layer refuses bare LF).
 * Only q=dns/txt. No DNSSEC requirement on key records. The signer takes no i= and no x=, and
 * refuses headers over 1 MiB or 1000 fields. No ARC (that is {@code moat.auth.arc}).
 *
 * <p>{@code TagList}, {@code HeaderField}, {@code Canonicalization}, {@code BodyHasher},
 * {@code HeaderHash}, {@code KeyRecord} and {@code MessageSplit} are public only so that
 * {@code moat.auth.arc} verifies ARC signatures with the same code; other packages should not use them.
 */
package moat.auth.dkim;
