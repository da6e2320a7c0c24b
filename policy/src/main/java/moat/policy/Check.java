package moat.policy;

import moat.core.EmailAddress;

/**
 * One policy check: one method per SMTP stage, each answering a {@link Verdict}; the default is
 * {@link Verdict.NoOpinion}, so a check implements only the stages it cares about. Checks must be
 * safe for many sessions at once; per-session data lives in the {@link CheckState}.
 *
 * <p>A check never throws for a DNS failure and never refuses because of one: a timeout or
 * SERVFAIL is {@code NoOpinion} (or a {@code Defer} where the check cannot work without the
 * answer). Whether a finding rejects, defers or scores is not the check's business: it reports a
 * {@link Verdict.Reject} (or its own {@code Defer}/{@code Score}) and the configured
 * {@link FailAction} decides.
 */
public interface Check {

    /** Stable name for config and logs, e.g. {@code rdns.no_ptr}. */
    String name();

    /**
     * True for checks that judge the client's reputation (rDNS, HELO, DNSBL, greylisting): they
     * are skipped for allow-listed and authenticated sessions. Lists are not reputation checks.
     */
    default boolean reputation() {
        return true;
    }

    default Verdict connect(CheckState state) {
        return Verdict.noOpinion();
    }

    default Verdict helo(CheckState state) {
        return Verdict.noOpinion();
    }

    default Verdict mailFrom(CheckState state) {
        return Verdict.noOpinion();
    }

    default Verdict rcptTo(CheckState state, EmailAddress recipient) {
        return Verdict.noOpinion();
    }

    /**
     * End of DATA/BDAT: the staged message, before the "250" (content checks). Besides the verdicts
     * of the other stages a check may answer {@link Verdict.Quarantine} (Junk for local users, a
     * held queue entry for remote ones) or {@link Verdict.AddHeader}. The pipeline runs this stage
     * with a time limit; a check should still read {@link Content#open()} in bounded steps and
     * give up when its thread is interrupted.
     */
    default Verdict data(CheckState state, Content content) {
        return Verdict.noOpinion();
    }
}
