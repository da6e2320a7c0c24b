package moat.policy;

import java.util.Objects;
import moat.core.Reason;

/**
 * What one {@link Check} says about one stage. Postfix's three answers (no opinion, permit,
 * reject) plus a temporary refusal and a score, as Maddy's check results carry.
 */
public sealed interface Verdict {

    /** The check has nothing to say: the next check runs. */
    record NoOpinion() implements Verdict {}

    /**
     * Explicitly trusted (an allow-list entry): later reputation checks (rDNS, HELO, DNSBL,
     * greylisting) are skipped for the rest of the connection or transaction. Deny lists and the
     * relay and recipient rules still apply.
     */
    record Accept(String why) implements Verdict {
        public Accept {
            Objects.requireNonNull(why, "why");
        }
    }

    /** Refuse permanently with the reason's 5xx reply; {@code detail} replaces its text. */
    record Reject(Reason reason, String detail) implements Verdict {
        public Reject {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Refuse temporarily (451 with the reason's enhanced status made transient). */
    record Defer(Reason reason, String detail) implements Verdict {
        public Defer {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** A warning worth {@code points}; the pipeline refuses when the sum reaches its threshold. */
    record Score(int points, Reason reason, String detail) implements Verdict {
        public Score {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            if (points < 0) throw new IllegalArgumentException("points must be >= 0");
        }
    }

    static Verdict noOpinion() {
        return NO_OPINION;
    }

    NoOpinion NO_OPINION = new NoOpinion();
}
