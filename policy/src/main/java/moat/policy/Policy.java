package moat.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.EnhancedStatus;
import moat.core.PeerText;
import moat.core.Reason;
import moat.core.Reply;

/**
 * The pipeline: runs the configured checks of one stage in order and returns the first refusal,
 * as Postfix's {@code smtpd_*_restrictions} lists do. Per check:
 * <ul>
 *   <li>{@link FailAction#OFF}: skipped (so no DNS query is ever sent for it);</li>
 *   <li>a reputation check is skipped when the session is {@linkplain CheckState#trusted trusted};</li>
 *   <li>{@code Accept} marks the session trusted and continues (deny lists still run); at RCPT it
 *       trusts that recipient only;</li>
 *   <li>{@code Quarantine} marks the transaction and {@code AddHeader} (DATA only) adds a field;
 *       both continue;</li>
 *   <li>{@code Reject}/{@code Defer} stop the stage; {@code Score} adds points, and when the
 *       session reaches {@code rejectScore} the stage is refused with {@link Reason#POLICY_SCORE}.</li>
 * </ul>
 * With {@link ReputationRefusals#AT_RCPT} a reputation refusal found before RCPT is held and given
 * at RCPT instead, so a recipient's allow entry can excuse it.
 */
public final class Policy {

    /** One configured check: its action on a finding and its points when scoring. */
    public record Rule(Check check, FailAction action, int points) {
        public Rule {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(action, "action");
            if (points < 0) throw new IllegalArgumentException("points must be >= 0");
        }
    }

    /** Receives every non-trivial decision, for the audit log. */
    public interface Listener {
        void decided(String check, Stage stage, Verdict verdict);

        Listener NONE = (c, s, v) -> { };
    }

    /**
     * When a reputation check's refusal (or the score threshold) found at connect, HELO or MAIL
     * is given. {@link #AT_STAGE}: at once, in reply to that stage. {@link #AT_RCPT}: held in the
     * {@link CheckState} and given in reply to each RCPT whose recipient has not allow-listed the
     * sender or client (Postfix's {@code smtpd_delay_reject = yes}); docs/adr/0010-per-user-lists.md.
     * Refusals of non-reputation checks (deny lists, a recipient's block list) are never held.
     */
    public enum ReputationRefusals { AT_STAGE, AT_RCPT }

    private final List<Rule> rules;
    private final int rejectScore;
    private final Listener listener;
    private final ReputationRefusals timing;

    /** A pipeline that gives every refusal at the stage that found it. */
    public Policy(List<Rule> rules, int rejectScore, Listener listener) {
        this(rules, rejectScore, listener, ReputationRefusals.AT_STAGE);
    }

    public Policy(List<Rule> rules, int rejectScore, Listener listener, ReputationRefusals timing) {
        this.rules = List.copyOf(rules);
        if (rejectScore < 1) throw new IllegalArgumentException("rejectScore must be >= 1");
        this.rejectScore = rejectScore;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.timing = Objects.requireNonNull(timing, "timing");
    }

    /** A pipeline without checks: always no opinion. */
    public static Policy none() {
        return new Policy(List.of(), Integer.MAX_VALUE, Listener.NONE);
    }

    public List<Rule> rules() {
        return rules;
    }

    public Verdict connect(CheckState s) {
        return run(Stage.CONNECT, s, c -> c.connect(s));
    }

    public Verdict helo(CheckState s) {
        return run(Stage.HELO, s, c -> c.helo(s));
    }

    public Verdict mailFrom(CheckState s) {
        return run(Stage.MAIL, s, c -> c.mailFrom(s));
    }

    /**
     * The per-recipient stage. An {@code Accept} here (a recipient's own allow entry) trusts this
     * recipient only: it excuses a held reputation refusal and skips the RCPT-stage reputation
     * checks (greylisting) for it, while the session and the other recipients stay as they were.
     */
    public Verdict rcptTo(CheckState s, EmailAddress rcpt) {
        return run(Stage.RCPT, s, c -> c.rcptTo(s, rcpt));
    }

    /**
     * End of DATA: the content checks. Besides a refusal, the outcome is in the state:
     * {@link CheckState#quarantine()} and {@link CheckState#addedHeaders()}.
     */
    public Verdict data(CheckState s, Content content) {
        return run(Stage.DATA, s, c -> c.data(s, content));
    }

    private Verdict run(Stage stage, CheckState s, java.util.function.Function<Check, Verdict> call) {
        boolean holding = timing == ReputationRefusals.AT_RCPT && (stage == Stage.CONNECT || stage == Stage.HELO || stage == Stage.MAIL);
        boolean recipientTrusted = false;
        boolean heldChecked = stage != Stage.RCPT;
        for (Rule rule : rules) {
            if (rule.action() == FailAction.OFF) continue;
            boolean reputation = rule.check().reputation();
            if (reputation && !heldChecked) {
                // Non-reputation checks before this one (deny lists, the recipient's lists) have spoken.
                heldChecked = true;
                if (!s.trusted() && !recipientTrusted && s.heldRefusal().isPresent()) return s.heldRefusal().get();
            }
            if (reputation && (s.trusted() || recipientTrusted)) continue;
            // Nothing can lift a held refusal but trust: no need to ask DNS any more questions.
            if (reputation && holding && s.heldRefusal().isPresent()) continue;
            Verdict v = rule.action().apply(call.apply(rule.check()), rule.points());
            if (!(v instanceof Verdict.NoOpinion)) listener.decided(rule.check().name(), stage, v);
            switch (v) {
                case Verdict.NoOpinion n -> { }
                case Verdict.Accept a -> {
                    if (stage == Stage.RCPT) recipientTrusted = true;
                    else s.trust(stage, rule.check().name() + ": " + a.why());
                }
                case Verdict.Reject r -> {
                    if (!(holding && reputation)) return r;
                    s.hold(stage, r);
                }
                case Verdict.Defer d -> {
                    if (!(holding && reputation)) return d;
                    s.hold(stage, d);
                }
                case Verdict.Quarantine q -> s.quarantine(rule.check().name(), q);
                case Verdict.AddHeader h -> {
                    if (stage == Stage.DATA) s.addHeader(h);
                }
                case Verdict.Score sc -> {
                    s.add(stage, new CheckState.Finding(rule.check().name(), sc));
                    if (s.score() >= rejectScore) {
                        Verdict refuse = new Verdict.Reject(Reason.POLICY_SCORE,
                                Reason.POLICY_SCORE.text() + " (" + s.score() + " points, last: " + sc.reason().id() + ")");
                        listener.decided("policy.score", stage, refuse);
                        if (!holding) return refuse;
                        s.hold(stage, refuse);
                    }
                }
            }
        }
        if (!heldChecked && !s.trusted() && !recipientTrusted && s.heldRefusal().isPresent()) return s.heldRefusal().get();
        return Verdict.noOpinion();
    }

    /** The SMTP reply for a refusing verdict; empty for the others. Client-chosen text (a HELO name) in the detail must not break the reply line. */
    public static Optional<Reply> reply(Verdict v) {
        return switch (v) {
            case Verdict.Reject r -> Optional.of(Reply.of(r.reason(), PeerText.reply(r.detail())));
            case Verdict.Defer d -> Optional.of(deferral(d.reason(), PeerText.reply(d.detail())));
            case Verdict.NoOpinion n -> Optional.empty();
            case Verdict.Accept a -> Optional.empty();
            case Verdict.Score sc -> Optional.empty();
            case Verdict.Quarantine q -> Optional.empty();
            case Verdict.AddHeader h -> Optional.empty();
        };
    }

    /** A 4xx form of any reason: 451 (450 for mailbox-class 4.x codes is not needed here) with 4.s.d. */
    private static Reply deferral(Reason reason, String detail) {
        int code = reason.code() >= 400 && reason.code() < 500 ? reason.code() : 451;
        EnhancedStatus st = reason.status();
        return new Reply(code, Optional.of(new EnhancedStatus(4, st.subject(), st.detail())), List.of(detail),
                Optional.of(reason));
    }
}
