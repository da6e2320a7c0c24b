package moat.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.core.Reply;
import org.junit.jupiter.api.Test;

class PolicyTest {
    record Fixed(String name, boolean reputation, Verdict atConnect) implements Check {
        @Override
        public Verdict connect(CheckState s) {
            return atConnect;
        }
    }

    static final Verdict FINDING = new Verdict.Reject(Reason.IPREV_NONE, "no PTR");

    static CheckState state() throws Exception {
        return new CheckState(InetAddress.getByName("192.0.2.1"));
    }

    @Test
    void failActionsTurnAFindingIntoRejectDeferScoreOrNothing() throws Exception {
        assertThat(FailAction.REJECT.apply(FINDING, 3)).isEqualTo(FINDING);
        assertThat(FailAction.DEFER.apply(FINDING, 3)).isEqualTo(new Verdict.Defer(Reason.IPREV_NONE, "no PTR"));
        assertThat(FailAction.SCORE.apply(FINDING, 3)).isEqualTo(new Verdict.Score(3, Reason.IPREV_NONE, "no PTR"));
        assertThat(FailAction.OFF.apply(FINDING, 3)).isInstanceOf(Verdict.NoOpinion.class);
        assertThat(FailAction.SCORE.apply(new Verdict.Score(7, Reason.DNSBL_LISTED, "x"), 3))
                .isEqualTo(new Verdict.Score(7, Reason.DNSBL_LISTED, "x"));
        assertThat(FailAction.parse(" Defer ")).isEqualTo(FailAction.DEFER);
    }

    @Test
    void firstRefusalWinsAndOffChecksAreNotRun() throws Exception {
        List<String> ran = new ArrayList<>();
        Check counting = new Check() {
            public String name() { return "counting"; }
            public Verdict connect(CheckState s) { ran.add("x"); return FINDING; }
        };
        Policy p = new Policy(List.of(new Policy.Rule(counting, FailAction.OFF, 1),
                new Policy.Rule(new Fixed("a", true, FINDING), FailAction.DEFER, 1),
                new Policy.Rule(new Fixed("b", true, FINDING), FailAction.REJECT, 1)), 10, Policy.Listener.NONE);
        assertThat(p.connect(state())).isInstanceOf(Verdict.Defer.class);
        assertThat(ran).isEmpty();
    }

    @Test
    void scoresAddUpToTheThreshold() throws Exception {
        Policy p = new Policy(List.of(new Policy.Rule(new Fixed("a", true, FINDING), FailAction.SCORE, 4),
                new Policy.Rule(new Fixed("b", true, FINDING), FailAction.SCORE, 4)), 10, Policy.Listener.NONE);
        CheckState s = state();
        assertThat(p.connect(s)).isInstanceOf(Verdict.NoOpinion.class);
        assertThat(s.score()).isEqualTo(8);
        Verdict v = p.connect(s);
        assertThat(v).isInstanceOf(Verdict.Reject.class);
        assertThat(((Verdict.Reject) v).reason()).isEqualTo(Reason.POLICY_SCORE);
    }

    @Test
    void acceptSkipsLaterReputationChecksButNotDenyLists() throws Exception {
        Verdict deny = new Verdict.Reject(Reason.LIST_DENIED, "denied");
        Policy p = new Policy(List.of(new Policy.Rule(new Fixed("allow", false, new Verdict.Accept("ok")), FailAction.REJECT, 0),
                new Policy.Rule(new Fixed("rdns", true, FINDING), FailAction.REJECT, 0)), 10, Policy.Listener.NONE);
        CheckState s = state();
        assertThat(p.connect(s)).isInstanceOf(Verdict.NoOpinion.class);
        assertThat(s.trustReason()).contains("allow: ok");
        Policy deny2 = new Policy(List.of(new Policy.Rule(new Fixed("deny", false, deny), FailAction.REJECT, 0)), 10,
                Policy.Listener.NONE);
        assertThat(deny2.connect(s)).isEqualTo(deny);
    }

    @Test
    void aSecondEhloReplacesTheHeloFindings() throws Exception {
        Check helo = new Check() {
            public String name() { return "helo.x"; }
            public Verdict helo(CheckState s) { return FINDING; }
        };
        Policy p = new Policy(List.of(new Policy.Rule(helo, FailAction.SCORE, 4)), 10, Policy.Listener.NONE);
        CheckState s = state();
        for (int i = 0; i < 3; i++) {
            s.helo("client.example");
            assertThat(p.helo(s)).isInstanceOf(Verdict.NoOpinion.class);
        }
        assertThat(s.score()).isEqualTo(4);
    }

    @Test
    void authenticatedSessionsSkipReputationChecks() throws Exception {
        Policy p = new Policy(List.of(new Policy.Rule(new Fixed("rdns", true, FINDING), FailAction.REJECT, 0)), 10,
                Policy.Listener.NONE);
        CheckState s = state();
        s.authenticated(true);
        assertThat(p.connect(s)).isInstanceOf(Verdict.NoOpinion.class);
    }

    @Test
    void senderTrustEndsWithTheTransaction() throws Exception {
        CheckState s = state();
        s.newTransaction(Optional.of(EmailAddress.of("a@b.example")));
        s.trust(Stage.MAIL, "sender allow-listed");
        assertThat(s.trusted()).isTrue();
        s.newTransaction(Optional.empty());
        assertThat(s.trusted()).isFalse();
    }

    @Test
    void deferralsAre451WithATransientStatus() {
        Reply r = Policy.reply(new Verdict.Defer(Reason.IPREV_FAIL, "try later\r\nX")).orElseThrow();
        assertThat(r.wire()).isEqualTo("451 4.7.25 try later??X\r\n");
        assertThat(Policy.reply(new Verdict.Defer(Reason.GREYLIST_DEFERRED, "Greylisted")).orElseThrow().wire())
                .isEqualTo("451 4.7.1 Greylisted\r\n");
        assertThat(Policy.reply(new Verdict.Score(1, Reason.IPREV_FAIL, "x"))).isEmpty();
    }

    /** A recipient-level check: accepts or blocks by recipient local part. */
    record ByRecipient() implements Check {
        public String name() { return "user_lists"; }
        public boolean reputation() { return false; }
        public Verdict rcptTo(CheckState s, EmailAddress r) {
            return switch (r.localPart()) {
                case "open" -> new Verdict.Accept("recipient allow-listed");
                case "closed" -> new Verdict.Reject(Reason.USER_BLOCKED, "blocked");
                default -> Verdict.noOpinion();
            };
        }
    }

    record Greylisting(List<String> asked) implements Check {
        public String name() { return "greylist"; }
        public Verdict rcptTo(CheckState s, EmailAddress r) {
            asked.add(r.localPart());
            return new Verdict.Defer(Reason.GREYLIST_DEFERRED, "later");
        }
    }

    @Test
    void heldReputationRefusalsAreGivenPerRecipientUnlessItAllowListed() throws Exception {
        List<String> greylisted = new ArrayList<>();
        Policy p = new Policy(List.of(new Policy.Rule(new ByRecipient(), FailAction.REJECT, 0),
                new Policy.Rule(new Fixed("dnsbl", true, FINDING), FailAction.REJECT, 0),
                new Policy.Rule(new Greylisting(greylisted), FailAction.DEFER, 0)), 10, Policy.Listener.NONE,
                Policy.ReputationRefusals.AT_RCPT);
        CheckState s = state();
        assertThat(p.connect(s)).isInstanceOf(Verdict.NoOpinion.class); // held, not given
        assertThat(s.heldRefusal()).contains(FINDING);
        s.newTransaction(Optional.of(EmailAddress.of("a@b.example")));
        assertThat(p.mailFrom(s)).isInstanceOf(Verdict.NoOpinion.class);
        assertThat(p.rcptTo(s, EmailAddress.of("bob@example.org"))).isEqualTo(FINDING);
        assertThat(p.rcptTo(s, EmailAddress.of("open@example.org"))).isInstanceOf(Verdict.NoOpinion.class);
        assertThat(p.rcptTo(s, EmailAddress.of("closed@example.org"))).isEqualTo(new Verdict.Reject(Reason.USER_BLOCKED, "blocked"));
        assertThat(p.rcptTo(s, EmailAddress.of("bob@example.org"))).isEqualTo(FINDING); // trust was for "open" only
        assertThat(greylisted).isEmpty(); // the held refusal came first; "open" skipped greylisting
        assertThat(s.trusted()).isFalse();
    }

    @Test
    void withoutAHeldRefusalAnAllowListedRecipientStillSkipsGreylisting() throws Exception {
        List<String> greylisted = new ArrayList<>();
        Policy p = new Policy(List.of(new Policy.Rule(new ByRecipient(), FailAction.REJECT, 0),
                new Policy.Rule(new Greylisting(greylisted), FailAction.DEFER, 0)), 10, Policy.Listener.NONE,
                Policy.ReputationRefusals.AT_RCPT);
        CheckState s = state();
        s.newTransaction(Optional.empty());
        assertThat(p.rcptTo(s, EmailAddress.of("open@example.org"))).isInstanceOf(Verdict.NoOpinion.class);
        assertThat(p.rcptTo(s, EmailAddress.of("bob@example.org"))).isInstanceOf(Verdict.Defer.class);
        assertThat(greylisted).containsExactly("bob");
    }

    @Test
    void heldScoreRefusalAndItsExcuseBySenderTrust() throws Exception {
        Policy p = new Policy(List.of(new Policy.Rule(new Fixed("allow", false, Verdict.noOpinion()), FailAction.REJECT, 0),
                new Policy.Rule(new Fixed("rdns", true, FINDING), FailAction.SCORE, 10)), 10, Policy.Listener.NONE,
                Policy.ReputationRefusals.AT_RCPT);
        CheckState s = state();
        assertThat(p.connect(s)).isInstanceOf(Verdict.NoOpinion.class);
        assertThat(s.heldRefusal()).get().extracting(v -> ((Verdict.Reject) v).reason()).isEqualTo(Reason.POLICY_SCORE);
        s.newTransaction(Optional.of(EmailAddress.of("friend@partner.example")));
        s.trust(Stage.MAIL, "sender allow-listed");
        assertThat(p.rcptTo(s, EmailAddress.of("bob@example.org"))).isInstanceOf(Verdict.NoOpinion.class);
        s.newTransaction(Optional.of(EmailAddress.of("other@x.example")));
        assertThat(p.rcptTo(s, EmailAddress.of("bob@example.org"))).isInstanceOf(Verdict.Reject.class);
    }
}
