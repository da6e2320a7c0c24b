package moat.policy.lists;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.IpPrefix;

/**
 * One list (allow or deny) of the four kinds a server-wide list can hold. Sender addresses are
 * compared by {@link EmailAddress#key()} (case-insensitive local part); sender domains match
 * themselves and every subdomain; HELO names match exactly, case-insensitively, without a
 * trailing dot.
 */
public record Lists(List<IpPrefix> networks, Set<String> senders, List<Domain> senderDomains, Set<String> heloNames) {
    public Lists {
        networks = List.copyOf(networks);
        senders = senders.stream().map(s -> EmailAddress.of(s).key()).collect(Collectors.toUnmodifiableSet());
        senderDomains = List.copyOf(senderDomains);
        heloNames = heloNames.stream().map(Lists::heloKey).collect(Collectors.toUnmodifiableSet());
    }

    public static Lists empty() {
        return new Lists(List.of(), Set.of(), List.of(), Set.of());
    }

    public boolean isEmpty() {
        return networks.isEmpty() && senders.isEmpty() && senderDomains.isEmpty() && heloNames.isEmpty();
    }

    boolean hasNetwork(java.net.InetAddress ip) {
        for (IpPrefix p : networks) if (p.contains(ip)) return true;
        return false;
    }

    boolean hasSender(EmailAddress sender) {
        if (senders.contains(sender.key())) return true;
        for (Domain d : senderDomains) if (sender.domain().isWithin(d)) return true;
        return false;
    }

    boolean hasHelo(String helo) {
        return heloNames.contains(heloKey(helo));
    }

    static String heloKey(String helo) {
        String h = helo.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
