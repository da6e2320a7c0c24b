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

    /**
     * Accept the message but keep it from the user's inbox: local recipients get it in Junk,
     * remote recipients' queue entries are held until an admin releases them. Given at any stage,
     * it marks the transaction; the next checks still run (a later refusal wins).
     */
    record Quarantine(Reason reason, String detail) implements Verdict {
        public Quarantine {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Add a header field on top of the stored message (a spam-score style result); the next
     * checks still run. Only at the DATA stage; elsewhere it is ignored. The name is an RFC 5322
     * section 3.6.8 field name of at most 64 characters, the value printable ASCII (tab allowed)
     * of at most 900 characters, so the field cannot break the header's structure.
     */
    record AddHeader(String name, String value) implements Verdict {
        public AddHeader {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty() || name.length() > 64 || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':'))
                throw new IllegalArgumentException("not a header field name: " + name);
            if (value.length() > 900 || !value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f)))
                throw new IllegalArgumentException("header field value must be printable ASCII, at most 900 characters");
        }

        /** The field as stored, with its CRLF. */
        public String line() {
            return name + ": " + value + "\r\n";
        }
    }

    static Verdict noOpinion() {
        return NO_OPINION;
    }

    NoOpinion NO_OPINION = new NoOpinion();
}
