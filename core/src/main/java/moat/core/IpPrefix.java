package moat.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 network in CIDR form, e.g. {@code 192.0.2.0/24} or {@code 2001:db8::/32}. */
public record IpPrefix(byte[] network, int length) {
    public IpPrefix {
        if (network.length != 4 && network.length != 16) throw new IllegalArgumentException("bad address length");
        if (length < 0 || length > network.length * 8) throw new IllegalArgumentException("bad prefix length");
        network = mask(network.clone(), length);
    }

    /** Parses {@code a.b.c.d/n}, {@code x::y/n} or a bare address (host prefix). Literal IPs only, no DNS. */
    public static IpPrefix parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        if (!addr.matches("[0-9a-fA-F:.]+")) throw new IllegalArgumentException("not an IP address: " + text);
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text, e);
        }
        int len = slash < 0 ? bytes.length * 8 : Integer.parseInt(t.substring(slash + 1));
        return new IpPrefix(bytes, len);
    }

    public static IpPrefix of(InetAddress address, int length) {
        return new IpPrefix(address.getAddress(), length);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            // IPv4-mapped IPv6 (::ffff:a.b.c.d) against an IPv4 prefix
            if (a.length == 16 && network.length == 4 && isV4Mapped(a)) a = Arrays.copyOfRange(a, 12, 16);
            else return false;
        }
        return Arrays.equals(mask(a.clone(), length), network);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static byte[] mask(byte[] b, int len) {
        for (int i = 0; i < b.length; i++) {
            int bits = Math.max(0, Math.min(8, len - i * 8));
            b[i] &= (byte) (0xff << (8 - bits));
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.length == length && Arrays.equals(p.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + length;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + length;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
