/**
 * Password hashing: {@link moat.store.password.Argon2id} (RFC 9106, variant id, version 0x13)
 * stored in the PHC string format, with cost {@link moat.store.password.Argon2Params} (OWASP
 * defaults m=19456 KiB, t=2, p=1). The derivation runs in libsodium ({@code crypto_pwhash}, Debian
 * libsodium23, through the Java FFM API) when it is installed, about 3x faster than Bouncy
 * Castle's portable Java code, which is the fallback and the reference the tests compare with.
 *
 * <p>Security: 16-byte random salt from {@link java.security.SecureRandom}, 32-byte tag,
 * constant-time comparison ({@link java.security.MessageDigest#isEqual}); the caller's
 * {@code char[]} and every byte copy are wiped after use. Parameters read from a stored hash are
 * bounds-checked so a tampered row cannot make a login allocate gigabytes.
 *
 * <p>LIMITATION: no secret pepper. LIMITATION: hashes made with older parameters are not
 * re-hashed on login yet ({@link moat.store.password.Argon2id#paramsOf} is there for it).
 */
package moat.store.password;
