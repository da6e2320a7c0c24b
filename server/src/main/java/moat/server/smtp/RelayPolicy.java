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
public record RelayPolicy(Set<Domain> relayDomains, List<IpPrefix> trustedNetworks, Set<String> relayRecipients) {
    public RelayPolicy {
        relayDomains = Set.copyOf(relayDomains);
        trustedNetworks = List.copyOf(trustedNetworks);
        relayRecipients = Set.copyOf(relayRecipients);
    }

    /** Without recipient validation ({@code smtp.relay_recipients} empty). */
    public RelayPolicy(Set<Domain> relayDomains, List<IpPrefix> trustedNetworks) {
        this(relayDomains, trustedNetworks, Set.of());
    }

    public static RelayPolicy none() {
        return new RelayPolicy(Set.of(), List.of());
    }

    /**
     * {@code smtp.relay_recipients} entries (addresses and {@code @domain}) in look-up form:
     * address keys (case-folded local part) and {@code @} plus the A-label domain.
     */
    public static Set<String> recipientKeys(List<String> entries) {
        Set<String> out = new java.util.HashSet<>();
        for (String e : entries) {
            out.add(e.startsWith("@") ? "@" + Domain.of(e.substring(1)).ascii() : moat.core.EmailAddress.of(e).key());
        }
        return out;
    }

    /**
     * Whether a recipient of a relay domain is one we may accept: any when the list is empty
     * (the internal server decides, after we accepted), else only listed addresses or domains.
     * Refusing unknown ones at RCPT is what keeps an edge relay or backup MX from accepting mail
     * it could only drop later (it never bounces unauthenticated mail: docs/adr/0011).
     */
    public boolean isKnownRelayRecipient(moat.core.EmailAddress rcpt) {
        return relayRecipients.isEmpty() || relayRecipients.contains(rcpt.key())
                || relayRecipients.contains("@" + rcpt.domain().ascii());
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
