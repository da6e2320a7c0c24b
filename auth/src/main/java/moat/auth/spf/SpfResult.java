package moat.auth.spf;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link Spf#check}: the RFC 7208 section 2.6 result, which identity was checked,
 * for which domain, the directive that decided it, and for {@code fail} the explanation
 * (section 6.2) to put in the 550 reply.
 *
 * @param result      the result token
 * @param identity    MAIL FROM, or HELO when the reverse-path was empty (section 2.4)
 * @param domain      the domain whose policy was evaluated (the initial {@code <domain>})
 * @param mechanism   the directive that matched, as written in the record (e.g. {@code -all});
 *                    empty when no directive matched or evaluation stopped with an error
 * @param explanation present only for {@code fail}: the expanded {@code exp=} text, else the
 *                    configured default explanation
 * @param problem     why the result is {@code none}, {@code permerror} or {@code temperror}, for the
 *                    log; empty otherwise. Never shown to the SMTP client.
 */
public record SpfResult(Code result, Identity identity, String domain, Optional<String> mechanism,
                        Optional<String> explanation, String problem) {
    public SpfResult {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(explanation, "explanation");
        Objects.requireNonNull(problem, "problem");
    }

    /** RFC 7208 section 2.6, spelled as in section 8 and in Received-SPF / Authentication-Results. */
    public enum Code {
        NONE("none"), NEUTRAL("neutral"), PASS("pass"), FAIL("fail"), SOFTFAIL("softfail"),
        TEMPERROR("temperror"), PERMERROR("permerror");

        private final String token;

        Code(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }
    }

    /** RFC 7208 section 2.4 (MAIL FROM) and section 2.3 (HELO). */
    public enum Identity {
        MAILFROM("mailfrom"), HELO("helo");

        private final String token;

        Identity(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }
    }
}
