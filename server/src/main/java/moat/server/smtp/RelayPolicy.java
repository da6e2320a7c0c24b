package moat.server.smtp;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import moat.core.Domain;
import moat.core.IpPrefix;

/**
 * Who may send mail to a non-local domain through us (RFC 5321 section 3.6.2, RFC 2505). Never an
 * open relay: a remote recipient is accepted only from an authenticated user, from a listed
 * trusted network, or when its domain is a configured relay domain (we are its backup MX or
 * edge relay).
 */
public record RelayPolicy(Set<Domain> relayDomains, List<IpPrefix> trustedNetworks) {
    public RelayPolicy {
        relayDomains = Set.copyOf(relayDomains);
        trustedNetworks = List.copyOf(trustedNetworks);
    }

    public static RelayPolicy none() {
        return new RelayPolicy(Set.of(), List.of());
    }

    /** Exact match only: a relay domain does not open its subdomains. */
    public boolean isRelayDomain(Domain d) {
        return relayDomains.contains(d);
    }

    public boolean isTrusted(InetAddress client) {
        for (IpPrefix p : trustedNetworks) if (p.contains(client)) return true;
        return false;
    }
}
