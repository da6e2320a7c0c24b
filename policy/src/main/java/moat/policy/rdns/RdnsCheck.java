package moat.policy.rdns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;
import moat.core.Reason;
import moat.core.dns.Resolver;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Verdict;

/**
 * Reverse-DNS rules at connect, one {@link Rule} per instance so each has its own
 * {@link moat.policy.FailAction}. All three share one {@link Iprev} lookup per connection.
 * A DNS failure (iprev temperror) is no opinion.
 */
public final class RdnsCheck implements Check {
    /** What is checked. */
    public enum Rule {
        /** The client IP has no PTR record. */
        NO_PTR("rdns.no_ptr"),
        /** PTR names exist but none resolves back to the client IP (iprev fail). */
        NOT_CONFIRMED("rdns.not_confirmed"),
        /** The PTR name looks like an end-user access network (embeds the IP, or dynamic/dsl/pool...). */
        GENERIC("rdns.generic");

        private final String name;

        Rule(String name) {
            this.name = name;
        }

        public String checkName() {
            return name;
        }
    }

    static final CheckState.Key<Iprev.Result> IPREV = new CheckState.Key<>("iprev");

    /** Words that mark access networks in PTR names (as a whole label part, not inside a word). */
    private static final Pattern GENERIC_WORDS = Pattern.compile(
            "(^|[.\\-_0-9])(dyn|dynamic|dhcp|dialup|dial-up|ppp|pppoe|dsl|adsl|vdsl|xdsl|cable|pool|client|clients|"
                    + "customer|cust|broadband|residential|unassigned)([.\\-_0-9]|$)");

    private final Rule rule;
    private final Resolver dns;

    public RdnsCheck(Rule rule, Resolver dns) {
        this.rule = rule;
        this.dns = dns;
    }

    @Override
    public String name() {
        return rule.checkName();
    }

    @Override
    public Verdict connect(CheckState s) {
        Iprev.Result r = s.memo(IPREV, () -> Iprev.check(dns, s.client()));
        String ip = s.client().getHostAddress();
        return switch (rule) {
            case NO_PTR -> r.status() == Iprev.Status.NONE
                    ? new Verdict.Reject(Reason.IPREV_NONE, "Client host [" + ip + "] has no reverse DNS (PTR) record")
                    : Verdict.noOpinion();
            case NOT_CONFIRMED -> r.status() == Iprev.Status.FAIL
                    ? new Verdict.Reject(Reason.IPREV_FAIL, "Client host [" + ip + "] reverse DNS " + r.ptrNames().getFirst()
                            + " does not resolve back to it")
                    : Verdict.noOpinion();
            case GENERIC -> {
                String name = r.confirmed().orElse(r.ptrNames().isEmpty() ? "" : r.ptrNames().getFirst());
                yield !name.isEmpty() && looksGeneric(name, s.client())
                        ? new Verdict.Reject(Reason.IPREV_GENERIC, "Client host name " + name + " looks like a dynamic address")
                        : Verdict.noOpinion();
            }
        };
    }

    /**
     * True when the name embeds the address (two or more octets of an IPv4 address in order, in
     * decimal with any separator, or the whole address in hex), or carries an access-network word.
     */
    static boolean looksGeneric(String ptrName, InetAddress ip) {
        String[] labels = ptrName.toLowerCase(Locale.ROOT).split("\\.");
        // Only the labels left of the registered domain (approximated as the last two) are looked at.
        String host = String.join(".", java.util.Arrays.copyOf(labels, Math.max(1, labels.length - 2)));
        if (GENERIC_WORDS.matcher(host).find()) return true;
        if (ip instanceof Inet4Address) {
            byte[] b = ip.getAddress();
            int o0 = b[0] & 0xff, o1 = b[1] & 0xff, o2 = b[2] & 0xff, o3 = b[3] & 0xff;
            String sep = "[.\\-_x]?";
            Pattern forward = Pattern.compile("(^|\\D)" + o2 + sep + o3 + "(\\D|$)");
            Pattern backward = Pattern.compile("(^|\\D)" + o3 + sep + o2 + sep + o1 + "(\\D|$)");
            Pattern full = Pattern.compile("(^|\\D)" + o0 + sep + o1 + sep + o2 + sep + o3 + "(\\D|$)");
            String hex = String.format("%02x%02x%02x%02x", o0, o1, o2, o3);
            return full.matcher(host).find() || backward.matcher(host).find()
                    || (forward.matcher(host).find() && host.contains(String.valueOf(o1))) || host.contains(hex);
        }
        return false;
    }
}
