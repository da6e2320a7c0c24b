package moat.server.policy;

import java.util.List;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.config.Constraint;
import moat.core.config.Setting;
import moat.policy.FailAction;
import moat.policy.dnsbl.DnsblZone;

/**
 * The perimeter checks on port 25 (ADR 0006 explains each default): lists, reverse DNS, HELO,
 * DNS block lists. Every check has an action (reject, defer, score, off) and the points it adds
 * when set to score; {@code policy.reject_score} refuses a session whose points reach it.
 */
public final class PolicySettings {
    static final List<String> ACTIONS = List.of("reject", "defer", "score", "off");

    public static final Setting<Integer> REJECT_SCORE = Setting.ofInt("policy.reject_score", 10, "points", 1, 1000,
            "Refuse (554 5.7.1 policy.score) once the points of the checks set to \"score\" reach this");
    public static final Setting<Boolean> DELAY_REJECT = Setting.ofBool("policy.delay_reject", true,
            "Hold a reputation refusal (rDNS, HELO, DNSBL, score) found at connect, HELO or MAIL until RCPT, so a "
                    + "recipient's allow list can excuse it (docs/adr/0008); false refuses at once");

    // Lists: deny refuses (list.denied); allow skips the reputation checks (never relay control).
    public static final Setting<List<String>> ALLOW_NETWORKS = Setting.ofStringList("policy.allow_networks", List.of(),
            "Client networks (CIDR) that skip rDNS, HELO, DNSBL and greylisting checks")
            .withConstraint(Constraint.ipPrefixes());
    public static final Setting<List<String>> DENY_NETWORKS = Setting.ofStringList("policy.deny_networks", List.of(),
            "Client networks (CIDR) refused at connect (554 5.7.1 list.denied)")
            .withConstraint(Constraint.ipPrefixes());
    public static final Setting<List<String>> ALLOW_SENDERS = Setting.ofStringList("policy.allow_senders", List.of(),
            "Sender addresses that skip reputation checks; forgeable, prefer allow_networks").withConstraint(addresses());
    public static final Setting<List<String>> DENY_SENDERS = Setting.ofStringList("policy.deny_senders", List.of(),
            "Sender addresses refused at MAIL FROM").withConstraint(addresses());
    public static final Setting<List<String>> ALLOW_SENDER_DOMAINS = Setting.ofStringList("policy.allow_sender_domains",
            List.of(), "Sender domains (and their subdomains) that skip reputation checks; forgeable")
            .withConstraint(domains());
    public static final Setting<List<String>> DENY_SENDER_DOMAINS = Setting.ofStringList("policy.deny_sender_domains",
            List.of(), "Sender domains (and their subdomains) refused at MAIL FROM").withConstraint(domains());
    public static final Setting<List<String>> ALLOW_HELO = Setting.ofStringList("policy.allow_helo", List.of(),
            "HELO/EHLO names that skip reputation checks; forgeable");
    public static final Setting<List<String>> DENY_HELO = Setting.ofStringList("policy.deny_helo", List.of(),
            "HELO/EHLO names refused at HELO");

    // Reverse DNS (RFC 8601 iprev).
    public static final Setting<String> RDNS_NO_PTR = action("rdns.no_ptr_action", "score",
            "Client IP without PTR record (iprev.none)");
    public static final Setting<Integer> RDNS_NO_PTR_POINTS = points("rdns.no_ptr_points", 3);
    public static final Setting<String> RDNS_NOT_CONFIRMED = action("rdns.not_confirmed_action", "score",
            "PTR name does not resolve back to the client IP (iprev.fail)");
    public static final Setting<Integer> RDNS_NOT_CONFIRMED_POINTS = points("rdns.not_confirmed_points", 3);
    public static final Setting<String> RDNS_GENERIC = action("rdns.generic_action", "score",
            "PTR name looks dynamic/generic (iprev.generic)");
    public static final Setting<Integer> RDNS_GENERIC_POINTS = points("rdns.generic_points", 2);

    // HELO.
    public static final Setting<String> HELO_INVALID = action("helo.invalid_action", "reject",
            "HELO/EHLO neither a domain nor an address literal (helo.invalid)");
    public static final Setting<Integer> HELO_INVALID_POINTS = points("helo.invalid_points", 5);
    public static final Setting<String> HELO_NON_FQDN = action("helo.non_fqdn_action", "score",
            "HELO/EHLO name with one label, e.g. localhost (helo.non_fqdn)");
    public static final Setting<Integer> HELO_NON_FQDN_POINTS = points("helo.non_fqdn_points", 2);
    public static final Setting<String> HELO_FORGED = action("helo.forged_action", "reject",
            "HELO/EHLO claims this server's name, a local domain or our address (helo.forged)");
    public static final Setting<Integer> HELO_FORGED_POINTS = points("helo.forged_points", 10);
    public static final Setting<String> HELO_LITERAL_MISMATCH = action("helo.literal_mismatch_action", "score",
            "HELO/EHLO address literal is not the client's address (helo.literal_mismatch)");
    public static final Setting<Integer> HELO_LITERAL_MISMATCH_POINTS = points("helo.literal_mismatch_points", 3);
    public static final Setting<String> HELO_UNRESOLVABLE = action("helo.unresolvable_action", "score",
            "HELO/EHLO domain has no A, AAAA or MX record (helo.unresolvable)");
    public static final Setting<Integer> HELO_UNRESOLVABLE_POINTS = points("helo.unresolvable_points", 2);
    public static final Setting<List<String>> HELO_OUR_ADDRESSES = Setting.ofStringList("helo.our_addresses", List.of(),
            "Our public addresses besides the interface addresses (e.g. behind NAT), for helo.forged")
            .withConstraint(Constraint.ipPrefixes());

    // DNS block lists (RFC 5782). Empty by default: no third party is asked without the admin's opt-in.
    public static final Setting<List<String>> DNSBL_ZONES = Setting.ofStringList("dnsbl.zones", List.of(),
            "IP block lists, each \"zone [weight=N] [codes=127.0.0.2,127.0.0.4/30]\"; empty = none (no data leaves)")
            .withConstraint(zones());
    public static final Setting<String> DNSBL_ACTION = action("dnsbl.action", "score",
            "A listing of the client IP (dnsbl.listed): score adds the zone weights");
    public static final Setting<List<String>> RHSBL_ZONES = Setting.ofStringList("rhsbl.zones", List.of(),
            "Domain block lists for the HELO and sender domains, same syntax as dnsbl.zones; empty = none")
            .withConstraint(zones());
    public static final Setting<String> RHSBL_ACTION = action("rhsbl.action", "score",
            "A listing of the HELO or sender domain (rhsbl.listed): score adds the zone weights");

    private PolicySettings() {}

    static Setting<String> action(String key, String def, String doc) {
        return Setting.ofString(key, def, doc + ": reject, defer, score or off")
                .withConstraint(Constraint.of("reject, defer, score or off", ACTIONS::contains,
                        "must be one of reject, defer, score, off"));
    }

    static Setting<Integer> points(String key, int def) {
        return Setting.ofInt(key, def, "points", 0, 1000, "Points added when the matching *_action is \"score\"");
    }

    static FailAction fail(moat.server.config.Config c, Setting<String> s) {
        return FailAction.parse(c.get(s));
    }

    private static Constraint<List<String>> addresses() {
        return Constraint.of("email addresses", v -> v.stream().allMatch(a -> EmailAddress.parse(a).isPresent()),
                "every element must be an email address");
    }

    private static Constraint<List<String>> domains() {
        return Constraint.of("domain names", v -> v.stream().allMatch(d -> Domain.parse(d).isPresent()),
                "every element must be a domain name");
    }

    private static Constraint<List<String>> zones() {
        return Constraint.of("zone [weight=N] [codes=...]", v -> v.stream().allMatch(PolicySettings::isZone),
                "every element must be \"zone [weight=N] [codes=127.0.0.2,127.0.0.4/30]\"");
    }

    private static boolean isZone(String s) {
        try {
            DnsblZone.parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
