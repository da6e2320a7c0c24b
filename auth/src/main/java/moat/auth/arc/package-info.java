/**
 * Authenticated Received Chain (RFC 8617), verification: {@link moat.auth.arc.ArcVerifier#verify}
 * collects the ARC sets (ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal with the same
 * i=), checks their structure, verifies the newest ARC-Message-Signature like a DKIM signature and
 * every ARC-Seal over the sets it covers, and answers an {@link moat.auth.arc.ArcResult} with the
 * chain validation status cv= none, pass or fail, the number of sets and the oldest passing signer.
 * Sealing: {@link moat.auth.arc.ArcSealer#seal} adds this host's set (AAR copying our
 * Authentication-Results, AMS relaxed/relaxed over {@code ArcSealer.DEFAULT_SIGNED} or the given
 * fields, AS with the cv= the verifier found) with an {@link moat.auth.arc.ArcSealingKey}.
 * Canonicalisation, tag lists, body hashing and key records are those of {@code moat.auth.dkim}.
 *
 * <p>Standards: RFC 8617 sections 4.1 (the three fields), 4.2.1 (instances 1..50), 5.1.1 (what the
 * seal signs: sets 1..i, each AAR, AMS, AS, relaxed, its own b= emptied), 5.2 (validator steps:
 * a newest cv=fail fails, i=1 seals cv=none and later ones cv=pass, newest AMS, oldest-pass, all
 * seals); RFC 6376 / RFC 8301 / RFC 8463 for the signatures. The ValiMail ARC test suite
 * (test resource {@code vectors/arc/arc-draft-validation-tests.yml}) passes in full: 171 of 171
 * ({@code ArcSuiteTest}); the signing suite ({@code arc-draft-sign-tests.yml}) passes 17 of 17 with
 * bit-identical b= values, and every set Moat seals verifies again ({@code ArcSignSuiteTest}).
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
 * The sealer writes b= unbroken on its own line (up to about 350 octets for RSA-2048, below the
 * 998 limit but above 78 columns), as the signing suite and other sealers do; a sealed chain that
 * failed (cv=fail) is sealed over our own set only (ADR 0008). Sealing accepts RSA keys from 1024
 * bits (RFC 8301 minimum) so the suite's key works; Moat generates 2048-bit or Ed25519 keys. The
 * message must be held in memory; no t= clock-skew check; AAR contents are not parsed beyond i=.
 */
package moat.auth.arc;
