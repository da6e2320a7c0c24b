/**
 * Authenticated Received Chain (RFC 8617), verification: {@link moat.auth.arc.ArcVerifier#verify}
 * collects the ARC sets (ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal with the same
 * i=), checks their structure, verifies the newest ARC-Message-Signature like a DKIM signature and
 * every ARC-Seal over the sets it covers, and answers an {@link moat.auth.arc.ArcResult} with the
 * chain validation status cv= none, pass or fail, the number of sets and the oldest passing signer.
 * Canonicalisation, tag lists, body hashing and key records are those of {@code moat.auth.dkim}.
 *
 * <p>Standards: RFC 8617 sections 4.1 (the three fields), 4.2.1 (instances 1..50), 5.1.1 (what the
 * seal signs: sets 1..i, each AAR, AMS, AS, relaxed, its own b= emptied), 5.2 (validator steps:
 * a newest cv=fail fails, i=1 seals cv=none and later ones cv=pass, newest AMS, oldest-pass, all
 * seals); RFC 6376 / RFC 8301 / RFC 8463 for the signatures. The ValiMail ARC test suite
 * ({@code shared/testdata/arc/arc-draft-validation-tests.yml}) passes in full: 171 of 171
 * ({@code ArcSuiteTest}).
 *
 * <p>Security: rsa-sha1 and RSA keys under 1024 bits fail (RFC 8301); a missing, duplicated or
 * out-of-range instance fails before any DNS query; more than 50 sets fail (section 4.2.1), so one
 * message can cause at most one key query per distinct selector/domain among 50 sets (keys are
 * cached for the message). The header section is bounded (256 KiB, 1000 fields). An ARC pass
 * says only who handled the message and what they saw: a receiver should trust it only for
 * sealers it knows (local policy), never as a DMARC pass by itself.
 *
 * <p>LIMITATION: an AMS without c= is tried as simple/simple (RFC 8617 via RFC 6376) and then as
 * relaxed/relaxed (the drafts' default, which the test suite's signer used): ADR 0008. A DNS
 * failure on a key lookup fails the chain (cv has no temperror; the reason says "temperror").
 * No sealing yet (the optional {@code arc-draft-sign-tests.yml}); the message must be held in
 * memory; no t= clock-skew check; AAR contents are not parsed beyond their i=.
 */
package moat.auth.arc;
