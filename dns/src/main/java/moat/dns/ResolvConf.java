package moat.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code nameserver} lines of {@code /etc/resolv.conf} (resolv.conf(5)); every other
 * option is ignored. Also parses the {@code dns.resolvers} setting: {@code 192.0.2.53},
 * {@code 192.0.2.53:5353}, {@code [2001:db8::53]:5353} or {@code 2001:db8::53}. Literal IPs only:
 * finding the DNS server must not need DNS.
 */
public final class ResolvConf {
    private ResolvConf() {}

    public static List<InetSocketAddress> read(Path file) throws IOException {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals("nameserver")) {
                String addr = f[1];
                int zone = addr.indexOf('%'); // fe80::1%eth0: scope ids are not supported
                if (zone >= 0) continue;
                try {
                    out.add(new InetSocketAddress(literal(addr), 53));
                } catch (IllegalArgumentException ignored) {
                    // a malformed line is skipped, as the C resolver does
                }
            }
        }
        return List.copyOf(out);
    }

    /** Parses one server as written in the {@code dns.resolvers} setting. */
    public static InetSocketAddress parseServer(String text) {
        String t = text.trim();
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("missing ] in " + text);
            int port = close + 1 < t.length() && t.charAt(close + 1) == ':' ? port(t.substring(close + 2), text) : 53;
            return new InetSocketAddress(literal(t.substring(1, close)), port);
        }
        int colon = t.indexOf(':');
        if (colon >= 0 && colon == t.lastIndexOf(':')) {
            return new InetSocketAddress(literal(t.substring(0, colon)), port(t.substring(colon + 1), text));
        }
        return new InetSocketAddress(literal(t), 53);
    }

    private static int port(String p, String text) {
        try {
            int n = Integer.parseInt(p);
            if (n < 1 || n > 65535) throw new IllegalArgumentException("bad port in " + text);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in " + text, e);
        }
    }

    private static InetAddress literal(String s) {
        if (!s.matches("[0-9A-Fa-f:.]+")) throw new IllegalArgumentException("not an IP literal: " + s);
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + s, e);
        }
    }
}
