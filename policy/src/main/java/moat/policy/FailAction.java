package moat.policy;

import java.util.Locale;

/**
 * What to do when a check finds a problem, chosen per check in the configuration (Maddy's
 * {@code FailAction}; Postfix's choice between a restriction and a {@code warn_if_reject}).
 * The check itself reports its finding as a {@link Verdict.Reject}, {@link Verdict.Defer} or
 * {@link Verdict.Score}; the action turns that into the verdict the pipeline acts on.
 */
public enum FailAction {
    /** Refuse permanently (5xx). */
    REJECT,
    /** Refuse temporarily (4xx): the sender retries; a mistake costs a delay, not a lost message. */
    DEFER,
    /** Add the check's points to the session score and continue. */
    SCORE,
    /**
     * Accept, but to Junk for local recipients and held in the queue for remote ones
     * ({@link Verdict.Quarantine}); meant for the data stage, where the message exists.
     */
    QUARANTINE,
    /** Do not run the check at all (no DNS query is sent). */
    OFF;

    /** Parses the config spelling: {@code reject}, {@code defer}, {@code score}, {@code quarantine} or {@code off}. */
    public static FailAction parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    /** The config spelling. */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Applies this action to what a check said; {@code points} is used when the check gave none. */
    public Verdict apply(Verdict v, int points) {
        return switch (v) {
            case Verdict.NoOpinion n -> n;
            case Verdict.Accept a -> a;
            case Verdict.Reject r -> as(r.reason(), r.detail(), points);
            case Verdict.Defer d -> as(d.reason(), d.detail(), points);
            case Verdict.Score s -> as(s.reason(), s.detail(), s.points());
            case Verdict.Quarantine q -> as(q.reason(), q.detail(), points);
            case Verdict.AddHeader h -> h;
        };
    }

    private Verdict as(moat.core.Reason reason, String detail, int points) {
        return switch (this) {
            case REJECT -> new Verdict.Reject(reason, detail);
            case DEFER -> new Verdict.Defer(reason, detail);
            case SCORE -> new Verdict.Score(points, reason, detail);
            case QUARANTINE -> new Verdict.Quarantine(reason, detail);
            case OFF -> Verdict.noOpinion();
        };
    }
}
