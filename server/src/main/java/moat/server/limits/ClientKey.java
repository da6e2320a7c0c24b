package moat.server.limits;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import moat.core.IpPrefix;

/**
 * The counting key of a client address: the network that one party plausibly controls. An IPv6
 * host usually gets a whole /64 (RFC 6177 recommends at least that for end sites), so counting
 * single IPv6 addresses would let one host rotate through 2^64 keys; IPv4 stays /32 by default
 * because NAT already merges many users into one address.
 */
public final class ClientKey {
    private ClientKey() {}

    /**
     * The prefix {@code address} is counted under. IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}, what a
     * dual-stack socket reports for an IPv4 peer) is treated as the IPv4 address so that one
     * client cannot get two budgets by arriving on both families.
     */
    public static IpPrefix of(InetAddress address, int ipv4Prefix, int ipv6Prefix) {
        byte[] a = address.getAddress();
        if (address instanceof Inet6Address && isV4Mapped(a)) {
            return new IpPrefix(Arrays.copyOfRange(a, 12, 16), ipv4Prefix);
        }
        return new IpPrefix(a, a.length == 4 ? ipv4Prefix : ipv6Prefix);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    /** For tests and admin tools: the key of a literal address. */
    public static IpPrefix of(String literal, int ipv4Prefix, int ipv6Prefix) {
        try {
            return of(InetAddress.ofLiteral(literal), ipv4Prefix, ipv6Prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP literal: " + literal, e);
        }
    }

}
