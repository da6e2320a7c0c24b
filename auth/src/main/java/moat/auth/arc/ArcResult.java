package moat.auth.arc;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link ArcVerifier#verify}: the chain validation status of RFC 8617 section 4.4
 * (the value a sealer writes into its own cv= and a receiver reports as "arc=").
 *
 * @param cv               none (no ARC sets), pass or fail
 * @param instances        the number of ARC sets seen (the highest i=), 0 when none or unreadable
 * @param reason           why, in a few words, for the log and an Authentication-Results comment
 * @param oldestPassDomain on pass, the d= of the oldest ARC-Message-Signature that still
 *                         verifies (section 5.2 step 5, "oldest-pass"): the earliest hop whose
 *                         view of the message is intact; empty otherwise
 */
public record ArcResult(Code cv, int instances, String reason, Optional<String> oldestPassDomain) {
    public ArcResult {
        Objects.requireNonNull(cv, "cv");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(oldestPassDomain, "oldestPassDomain");
    }

    /** RFC 8617 section 4.4 / RFC 8601 "arc" method result tokens. */
    public enum Code {
        NONE("none"), PASS("pass"), FAIL("fail");

        private final String token;

        Code(String token) {
            this.token = token;
        }

        /** The lower-case token used in cv= and Authentication-Results. */
        public String token() {
            return token;
        }
    }
}
