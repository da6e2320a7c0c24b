package moat.core.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;

/** Spelling rules for DNS names shared by every {@link Resolver}. */
public final class DnsName {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private DnsName() {}

    /** Lower-cases (ASCII only, RFC 4343) and removes one trailing dot, so equal names are equal strings. */
    public static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
    }

    /**
     * True when {@code name} can be sent in a query at all (RFC 1035 section 2.3.4): labels of 1 to
     * 63 octets, at most 253 octets without the trailing dot. Any octet is allowed inside a label.
     */
    public static boolean isQueryable(String name) {
        String n = normalize(name);
        if (n.isEmpty() || n.length() > 253) return false;
        int start = 0;
        for (int i = 0; i <= n.length(); i++) {
            if (i == n.length() || n.charAt(i) == '.') {
                if (i - start < 1 || i - start > 63) return false;
                start = i + 1;
            }
        }
        return true;
    }

    /**
     * The reverse-lookup name of an address: {@code 4.3.2.1.in-addr.arpa} (RFC 1035 section 3.5) or
     * the 32 nibbles under {@code ip6.arpa} (RFC 3596 section 2.5), lower-case, no trailing dot.
     * An IPv4-mapped IPv6 address gets its IPv4 name.
     */
    public static String reverse(InetAddress address) {
        byte[] b = unmap(address).getAddress();
        StringBuilder sb = new StringBuilder(72);
        if (b.length == 4) {
            for (int i = 3; i >= 0; i--) sb.append(b[i] & 0xff).append('.');
            return sb.append("in-addr.arpa").toString();
        }
        for (int i = 15; i >= 0; i--) {
            sb.append(HEX[b[i] & 0xf]).append('.').append(HEX[(b[i] >> 4) & 0xf]).append('.');
        }
        return sb.append("ip6.arpa").toString();
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), else the address itself. */
    public static InetAddress unmap(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 16) return address;
        for (int i = 0; i < 10; i++) if (b[i] != 0) return address;
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) return address;
        try {
            return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: four bytes
        }
    }
}
