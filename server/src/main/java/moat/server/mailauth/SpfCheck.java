package moat.server.mailauth;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import moat.auth.spf.Spf;
import moat.auth.spf.SpfResult;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Verdict;

/**
 * SPF (RFC 7208) at MAIL FROM: the MAIL FROM identity, or the HELO identity for the null
 * reverse-path (section 2.4). Two rules share one evaluation per transaction through the
 * {@link CheckState} memo: {@link Rule#FAIL} reports a fail (its configured action decides) and
 * {@link Rule#TEMPERROR} a DNS failure (always a deferral: section 8.6 allows a temporary
 * refusal, never a permanent one). End of DATA reads the same result for DMARC and
 * Authentication-Results through {@link #evaluate}.
 *
 * <p>A reputation check: skipped for trusted networks and allow-listed sessions.
 */
public final class SpfCheck implements Check {
    /** What this instance reports. */
    public enum Rule { FAIL, TEMPERROR }

    private static final CheckState.Key<Results> KEY = new CheckState.Key<>("spf");
    /** Results kept per connection: one per distinct (sender, HELO); bounded by smtp.max_transactions anyway. */
    private static final int MAX_KEPT = 100;

    private final Rule rule;
    private final Spf spf;

    public SpfCheck(Rule rule, Spf spf) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.spf = Objects.requireNonNull(spf, "spf");
    }

    @Override
    public String name() {
        return rule == Rule.FAIL ? "spf.fail" : "spf.temperror";
    }

    @Override
    public Verdict mailFrom(CheckState state) {
        SpfResult r = evaluate(spf, state);
        return switch (rule) {
            case FAIL -> r.result() == SpfResult.Code.FAIL
                    ? new Verdict.Reject(Reason.SPF_FAIL, Reason.SPF_FAIL.text() + ": " + r.explanation().orElse(r.domain()))
                    : Verdict.NO_OPINION;
            case TEMPERROR -> r.result() == SpfResult.Code.TEMPERROR
                    ? new Verdict.Defer(Reason.SPF_TEMPERROR, Reason.SPF_TEMPERROR.text() + " (" + r.domain() + ")")
                    : Verdict.NO_OPINION;
        };
    }

    /** The result for the current transaction, evaluated now when no rule did (trusted session, action off). */
    public static SpfResult evaluate(Spf spf, CheckState state) {
        Results kept = state.memo(KEY, Results::new);
        SpfResult r = kept.get(state);
        if (r != null) return r;
        String helo = state.helo().orElse("");
        r = spf.check(state.client(), state.sender().map(EmailAddress::toString).orElse(null), helo);
        // A temperror is not kept: the client's retry in the same connection asks DNS again.
        if (r.result() != SpfResult.Code.TEMPERROR && kept.map.size() < MAX_KEPT) kept.map.put(Results.key(state), r);
        return r;
    }

    /** Mutable, per connection; CheckState is used by one thread at a time. */
    private static final class Results {
        final Map<String, SpfResult> map = new HashMap<>();

        static String key(CheckState s) {
            return s.sender().map(EmailAddress::toString).orElse("") + "\n" + s.helo().orElse("");
        }

        SpfResult get(CheckState s) {
            return map.get(key(s));
        }
    }
}
