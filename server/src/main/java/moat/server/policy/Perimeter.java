package moat.server.policy;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import moat.core.Domain;
import moat.core.IpPrefix;
import moat.core.config.Setting;
import moat.core.dns.DnsName;
import moat.core.dns.Resolver;
import moat.policy.Check;
import moat.policy.FailAction;
import moat.policy.Policy;
import moat.policy.dnsbl.DnsblCheck;
import moat.policy.dnsbl.DnsblZone;
import moat.policy.greylist.Greylist;
import moat.policy.greylist.GreylistStore;
import moat.policy.greylist.InMemoryGreylistStore;
import moat.policy.helo.HeloCheck;
import moat.policy.lists.Lists;
import moat.policy.lists.ListsCheck;
import moat.policy.lists.UserListsCheck;
import moat.policy.rdns.RdnsCheck;
import moat.server.config.Config;
import moat.store.GreylistState;

/**
 * Builds the port-25 policy pipeline from the configuration, in Postfix's order: lists first
 * (so allow and deny decide before any DNS query), then the recipient's own lists (RCPT), then reverse DNS, HELO, DNS block lists and
 * greylisting last (so a message that other checks refuse never creates a greylist entry).
 */
public final class Perimeter {
    private Perimeter() {}

    /** Where greylisting keeps its state: built from {@code greylist.store}. */
    public static GreylistStore greylistStore(Config c, GreylistState store) {
        return c.get(GreylistSettings.STORE).equals("memory")
                ? new InMemoryGreylistStore(c.get(GreylistSettings.MAX_ENTRIES))
                : new StoreGreylist(store);
    }

    /**
     * @param isOurName host name and local domains, for {@code helo.forged}
     */
    public static Policy build(Config c, Resolver dns, Clock clock, Predicate<Domain> isOurName, GreylistStore greylist) {
        return build(c, dns, clock, isOurName, greylist, Optional.empty());
    }

    /**
     * @param isOurName host name and local domains, for {@code helo.forged}
     * @param userLists each recipient's own lists, checked right after the server-wide lists;
     *                  empty: no per-user lists (tests of the other checks)
     */
    public static Policy build(Config c, Resolver dns, Clock clock, Predicate<Domain> isOurName, GreylistStore greylist,
                               Optional<UserListsCheck.Source> userLists) {
        List<Policy.Rule> rules = new ArrayList<>();
        ListsCheck lists = new ListsCheck(
                new Lists(prefixes(c, PolicySettings.ALLOW_NETWORKS), Set.copyOf(c.get(PolicySettings.ALLOW_SENDERS)),
                        domains(c, PolicySettings.ALLOW_SENDER_DOMAINS), Set.copyOf(c.get(PolicySettings.ALLOW_HELO))),
                new Lists(prefixes(c, PolicySettings.DENY_NETWORKS), Set.copyOf(c.get(PolicySettings.DENY_SENDERS)),
                        domains(c, PolicySettings.DENY_SENDER_DOMAINS), Set.copyOf(c.get(PolicySettings.DENY_HELO))));
        rules.add(new Policy.Rule(lists, FailAction.REJECT, 0));
        userLists.ifPresent(u -> rules.add(new Policy.Rule(new UserListsCheck(u), FailAction.REJECT, 0)));

        add(rules, c, new RdnsCheck(RdnsCheck.Rule.NO_PTR, dns), PolicySettings.RDNS_NO_PTR, PolicySettings.RDNS_NO_PTR_POINTS);
        add(rules, c, new RdnsCheck(RdnsCheck.Rule.NOT_CONFIRMED, dns), PolicySettings.RDNS_NOT_CONFIRMED,
                PolicySettings.RDNS_NOT_CONFIRMED_POINTS);
        add(rules, c, new RdnsCheck(RdnsCheck.Rule.GENERIC, dns), PolicySettings.RDNS_GENERIC, PolicySettings.RDNS_GENERIC_POINTS);

        HeloCheck.Identity us = new HeloCheck.Identity(isOurName, ourAddresses(c));
        add(rules, c, new HeloCheck(HeloCheck.Rule.INVALID, dns, us), PolicySettings.HELO_INVALID, PolicySettings.HELO_INVALID_POINTS);
        add(rules, c, new HeloCheck(HeloCheck.Rule.FORGED, dns, us), PolicySettings.HELO_FORGED, PolicySettings.HELO_FORGED_POINTS);
        add(rules, c, new HeloCheck(HeloCheck.Rule.NON_FQDN, dns, us), PolicySettings.HELO_NON_FQDN,
                PolicySettings.HELO_NON_FQDN_POINTS);
        add(rules, c, new HeloCheck(HeloCheck.Rule.LITERAL_MISMATCH, dns, us), PolicySettings.HELO_LITERAL_MISMATCH,
                PolicySettings.HELO_LITERAL_MISMATCH_POINTS);
        add(rules, c, new HeloCheck(HeloCheck.Rule.UNRESOLVABLE, dns, us), PolicySettings.HELO_UNRESOLVABLE,
                PolicySettings.HELO_UNRESOLVABLE_POINTS);

        List<DnsblZone> ip = c.get(PolicySettings.DNSBL_ZONES).stream().map(DnsblZone::parse).toList();
        if (!ip.isEmpty()) {
            rules.add(new Policy.Rule(new DnsblCheck(DnsblCheck.Kind.IP, ip, dns),
                    PolicySettings.fail(c, PolicySettings.DNSBL_ACTION), 0));
        }
        List<DnsblZone> rhs = c.get(PolicySettings.RHSBL_ZONES).stream().map(DnsblZone::parse).toList();
        if (!rhs.isEmpty()) {
            rules.add(new Policy.Rule(new DnsblCheck(DnsblCheck.Kind.DOMAIN, rhs, dns),
                    PolicySettings.fail(c, PolicySettings.RHSBL_ACTION), 0));
        }
        // SPF at MAIL FROM (docs/adr/0009), before greylisting so a refused sender leaves no greylist entry.
        rules.addAll(moat.server.mailauth.MailAuth.spfRules(c, dns, clock));
        if (c.get(GreylistSettings.ACTION).equals("defer")) {
            Greylist g = new Greylist(new Greylist.Settings(c.get(GreylistSettings.DELAY), c.get(GreylistSettings.RETRY_WINDOW),
                    c.get(GreylistSettings.EXPIRY), c.get(GreylistSettings.AUTO_ALLOW_AFTER)), greylist, clock);
            rules.add(new Policy.Rule(g, FailAction.DEFER, 0));
            try {
                greylist.purge(clock.instant().minus(c.get(GreylistSettings.EXPIRY)));
            } catch (RuntimeException e) {
                // a purge failure only leaves old rows behind
            }
        }
        return new Policy(rules, c.get(PolicySettings.REJECT_SCORE), Policy.Listener.NONE,
                c.get(PolicySettings.DELAY_REJECT) ? Policy.ReputationRefusals.AT_RCPT : Policy.ReputationRefusals.AT_STAGE);
    }

    private static void add(List<Policy.Rule> rules, Config c, Check check, Setting<String> action, Setting<Integer> points) {
        rules.add(new Policy.Rule(check, PolicySettings.fail(c, action), c.get(points)));
    }

    private static List<IpPrefix> prefixes(Config c, Setting<List<String>> s) {
        return c.get(s).stream().map(IpPrefix::parse).toList();
    }

    private static List<Domain> domains(Config c, Setting<List<String>> s) {
        return c.get(s).stream().map(Domain::of).toList();
    }

    /** Interface addresses at start-up plus {@code helo.our_addresses}. */
    private static Predicate<InetAddress> ourAddresses(Config c) {
        Set<InetAddress> mine = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) mine.add(DnsName.unmap(a));
            }
        } catch (SocketException e) {
            // no interface list: only the configured addresses count
        }
        List<IpPrefix> configured = prefixes(c, PolicySettings.HELO_OUR_ADDRESSES);
        Set<InetAddress> frozen = Set.copyOf(mine);
        return a -> frozen.contains(a) || configured.stream().anyMatch(p -> p.contains(a));
    }
}
