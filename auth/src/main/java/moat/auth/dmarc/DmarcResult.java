package moat.auth.dmarc;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link Dmarc#evaluate}.
 *
 * @param result      the RFC 8601 section 2.7.1 / RFC 7489 section 11.2 result
 * @param fromDomain  the RFC5322.From domain evaluated, lower-case ASCII
 * @param policy      the policy the record asks for this domain: {@code sp=} when the record was
 *                    found at the Organizational Domain and the From domain is a subdomain,
 *                    else {@code p=}. Empty when no usable record was found.
 * @param disposition what the receiver should do: {@link DmarcPolicy#NONE} unless the result is
 *                    {@code fail}; on {@code fail}, the policy after {@code pct=} sampling
 * @param spfAligned  SPF passed for a domain aligned with the From domain
 * @param dkimAligned some DKIM signature passed for a domain aligned with the From domain
 * @param reason      a few words for the log; never shown to the SMTP client as is
 */
public record DmarcResult(Code result, String fromDomain, Optional<DmarcPolicy> policy, DmarcPolicy disposition,
                          boolean spfAligned, boolean dkimAligned, String reason) {
    public DmarcResult {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(fromDomain, "fromDomain");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(reason, "reason");
    }

    /** RFC 7489 section 11.2 result tokens for the "dmarc" method of Authentication-Results. */
    public enum Code {
        PASS("pass"), FAIL("fail"), NONE("none"), TEMPERROR("temperror"), PERMERROR("permerror");

        private final String token;

        Code(String token) {
            this.token = token;
        }

        /** The lower-case RFC 8601 token. */
        public String token() {
            return token;
        }
    }
}
