package moat.auth.spf;

import java.net.InetAddress;
import java.util.function.UnaryOperator;

/**
 * The values RFC 7208 section 7.3 macro letters expand to, for one step of evaluation.
 *
 * @param sender          %{s}: {@code local-part@domain}, "postmaster" substituted (section 4.3)
 * @param localPart       %{l}
 * @param senderDomain    %{o}
 * @param domain          %{d}: the domain whose record is being evaluated now
 * @param ip              %{i}, %{c}, %{v}: the client address (IPv4-mapped addresses already unmapped)
 * @param helo            %{h}
 * @param receiver        %{r} (explanations only)
 * @param timestamp       %{t} in seconds since the epoch (explanations only)
 * @param validatedDomain %{p}: given the current domain, the validated name; called only when used,
 *                        because it costs DNS queries
 */
public record MacroContext(String sender, String localPart, String senderDomain, String domain,
                           InetAddress ip, String helo, String receiver, long timestamp,
                           UnaryOperator<String> validatedDomain) {

    public MacroContext withDomain(String newDomain) {
        return new MacroContext(sender, localPart, senderDomain, newDomain, ip, helo, receiver, timestamp, validatedDomain);
    }
}
