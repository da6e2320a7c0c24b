package moat.auth.dkim;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The outcome of one DKIM-Signature, ready for an Authentication-Results "dkim" method entry
 * (RFC 8601 section 2.7.1): the result token, the properties header.d, header.s, header.i,
 * header.a and header.b (RFC 6008: the first 8 characters of b=), and a reason for the log.
 *
 * @param domain   d=, empty when the field was too broken to read it
 * @param selector s=, empty likewise
 * @param identity i= (the AUID), "@" + d when absent, empty when unreadable
 * @param algorithm a= as written, empty when absent
 * @param bPrefix  the first 8 characters of b=
 * @param reason   why, in a few words (a free-text "reason" property); never attacker text
 *                 beyond the tag values quoted in it
 * @param testing  the key record says t=y (RFC 6376 section 3.6.1): the signer is testing, so a
 *                 receiver must not treat a failure differently from an unsigned message
 * @param body     how much of the body the signature covers; present once the body was hashed
 */
public record DkimResult(Code result, String domain, String selector, String identity, String algorithm,
                         String bPrefix, String reason, boolean testing, Optional<BodyCoverage> body) {
    public DkimResult {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(bPrefix, "bPrefix");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(body, "body");
    }

    /** True when the signature passed but covers only a prefix of the body (an l= shorter than it). */
    public boolean partialBody() {
        return body.map(BodyCoverage::partial).orElse(false);
    }

    /**
     * What the body hash covered. Content beyond {@code signedRawLength} octets of the raw body is
     * not signed by anyone: RFC 6376 section 8.2 warns that an attacker may append to it.
     *
     * @param lengthTag       the l= value, absent when the whole body is signed
     * @param canonicalLength the length of the whole canonicalised body
     * @param rawLength       body octets received
     * @param signedRawLength the raw body octets whose canonical form was hashed; a caller that
     *                        distrusts partial signatures strips or flags everything after it
     */
    public record BodyCoverage(OptionalLong lengthTag, long canonicalLength, long rawLength, long signedRawLength) {
        public BodyCoverage {
            Objects.requireNonNull(lengthTag, "lengthTag");
        }

        public boolean partial() {
            return lengthTag.isPresent() && lengthTag.getAsLong() < canonicalLength;
        }
    }

    /** RFC 8601 section 2.7.1 result tokens for DKIM. No signature at all is "none". */
    public enum Code {
        NONE("none"), PASS("pass"), FAIL("fail"), POLICY("policy"), NEUTRAL("neutral"),
        TEMPERROR("temperror"), PERMERROR("permerror");

        private final String token;

        Code(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }
    }
}
