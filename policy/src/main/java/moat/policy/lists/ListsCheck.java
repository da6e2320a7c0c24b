package moat.policy.lists;

import moat.core.EmailAddress;
import moat.core.Reason;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Verdict;

/**
 * Server-wide allow and deny lists: client IP (CIDR, IPv4 and IPv6) at connect, HELO name at
 * HELO, sender address and sender domain (with subdomains) at MAIL. A deny entry refuses with
 * {@link Reason#LIST_DENIED}; an allow entry answers {@code Accept}, so the pipeline skips the
 * reputation checks. Deny is looked up before allow at each stage, so an address on both lists
 * is denied.
 *
 * <p>SECURITY: the HELO name and the sender address are chosen by the client. Allow-listing them
 * lets anyone who guesses the entry skip rDNS, DNSBL and greylisting (it never bypasses the relay
 * and recipient rules, nor a deny entry). Prefer allow-listing networks.
 */
public final class ListsCheck implements Check {
    private final Lists allow;
    private final Lists deny;

    public ListsCheck(Lists allow, Lists deny) {
        this.allow = allow;
        this.deny = deny;
    }

    @Override
    public String name() {
        return "lists";
    }

    @Override
    public boolean reputation() {
        return false;
    }

    @Override
    public Verdict connect(CheckState s) {
        if (deny.hasNetwork(s.client())) return denied("Client host [" + s.client().getHostAddress() + "]");
        if (allow.hasNetwork(s.client())) return new Verdict.Accept("client network allow-listed");
        return Verdict.noOpinion();
    }

    @Override
    public Verdict helo(CheckState s) {
        if (s.helo().isEmpty()) return Verdict.noOpinion();
        String h = s.helo().get();
        if (deny.hasHelo(h)) return denied("HELO name");
        if (allow.hasHelo(h)) return new Verdict.Accept("HELO name allow-listed");
        return Verdict.noOpinion();
    }

    @Override
    public Verdict mailFrom(CheckState s) {
        if (s.sender().isEmpty()) return Verdict.noOpinion();
        EmailAddress from = s.sender().get();
        if (deny.hasSender(from)) return denied("Sender address");
        if (allow.hasSender(from)) return new Verdict.Accept("sender allow-listed");
        return Verdict.noOpinion();
    }

    private static Verdict denied(String what) {
        return new Verdict.Reject(Reason.LIST_DENIED, what + " rejected: access denied");
    }
}
