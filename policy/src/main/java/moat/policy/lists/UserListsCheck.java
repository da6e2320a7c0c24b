package moat.policy.lists;

import java.net.InetAddress;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Verdict;

/**
 * Each recipient's own allow and block lists, at RCPT (docs/adr/0010-per-user-lists.md). A block
 * entry refuses this recipient with {@link Reason#USER_BLOCKED} (550 5.7.1), leaving the other
 * recipients of the transaction alone; an allow entry answers {@code Accept}, which the pipeline
 * turns into trust for this recipient only: its held reputation refusal is excused and its
 * RCPT-stage reputation checks (greylisting) are skipped. Relay control and the recipient
 * rules run before the pipeline, and DATA-stage checks (antivirus) after it: neither is affected.
 * Block wins over allow.
 *
 * <p>SECURITY: sender entries are forgeable (MAIL FROM is the client's word); a user who
 * allow-lists a sender lets anyone who guesses it past the reputation checks, for mail to that
 * user only.
 */
public final class UserListsCheck implements Check {

    /** What a recipient's lists say about a sender and client. */
    public enum Listed { BLOCKED, ALLOWED, NEITHER }

    /** Where the lists live (the store, through the server); must answer {@code NEITHER} on a failure. */
    @FunctionalInterface
    public interface Source {
        Listed lookup(EmailAddress recipient, Optional<EmailAddress> sender, InetAddress client);
    }

    private final Source source;

    public UserListsCheck(Source source) {
        this.source = source;
    }

    @Override
    public String name() {
        return "user_lists";
    }

    @Override
    public boolean reputation() {
        return false;
    }

    @Override
    public Verdict rcptTo(CheckState s, EmailAddress recipient) {
        return switch (source.lookup(recipient, s.sender(), s.client())) {
            case BLOCKED -> new Verdict.Reject(Reason.USER_BLOCKED, "<" + recipient + ">: " + Reason.USER_BLOCKED.text());
            case ALLOWED -> new Verdict.Accept("recipient allow-listed the sender or client");
            case NEITHER -> Verdict.noOpinion();
        };
    }
}
