package moat.policy.dnsbl;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import moat.core.IpPrefix;
import moat.core.dns.DnsName;

/**
 * One configured block-list zone, written in the config as
 * {@code "zone [weight=N] [codes=A,B/len,...]"}, e.g.
 * {@code "zen.spamhaus.org weight=10 codes=127.0.0.2/31,127.0.0.4/30,127.0.0.9,127.0.0.10/31"}.
 *
 * <p>{@code codes} are the answers that mean "listed" (RFC 5782 section 2.1 leaves meanings to
 * each list). Without {@code codes}, any answer in 127.0.0.0/8 except 127.0.0.1 and
 * 127.255.255.0/24 counts: lists use the latter for "query refused" and "open resolver" errors
 * (Spamhaus: 127.255.255.252-255), which must never read as a listing. An answer outside
 * 127.0.0.0/8 is always ignored: it means a wildcard or hijacked zone, not a listing.
 */
public record DnsblZone(String zone, int weight, List<IpPrefix> codes) {
    private static final IpPrefix LOOPBACK_NET = IpPrefix.parse("127.0.0.0/8");
    private static final IpPrefix ERROR_CODES = IpPrefix.parse("127.255.255.0/24");
    private static final IpPrefix TEST_CODE = IpPrefix.parse("127.0.0.1/32");

    public DnsblZone {
        zone = DnsName.normalize(zone);
        if (!DnsName.isQueryable(zone) || !zone.contains(".")) throw new IllegalArgumentException("bad DNSBL zone: " + zone);
        if (weight < 0 || weight > 1000) throw new IllegalArgumentException("DNSBL weight must be 0..1000: " + weight);
        codes = List.copyOf(codes);
    }

    /** Parses the config spelling; throws {@link IllegalArgumentException} naming the problem. */
    public static DnsblZone parse(String spec) {
        String[] parts = spec.trim().split("\\s+");
        if (parts.length == 0 || parts[0].isEmpty()) throw new IllegalArgumentException("empty DNSBL zone entry");
        int weight = 10;
        List<IpPrefix> codes = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].toLowerCase(Locale.ROOT);
            if (p.startsWith("weight=")) {
                try {
                    weight = Integer.parseInt(p.substring(7));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad weight in DNSBL entry \"" + spec + "\"", e);
                }
            } else if (p.startsWith("codes=")) {
                for (String c : p.substring(6).split(",")) {
                    IpPrefix code = IpPrefix.parse(c);
                    if (code.network().length != 4 || !LOOPBACK_NET.contains(inet(code)))
                        throw new IllegalArgumentException("DNSBL return codes must be in 127.0.0.0/8: " + c);
                    codes.add(code);
                }
            } else {
                throw new IllegalArgumentException("unknown option \"" + parts[i] + "\" in DNSBL entry \"" + spec
                        + "\" (expected weight=N or codes=...)");
            }
        }
        return new DnsblZone(parts[0], weight, codes);
    }

    /** True when {@code answer} (an A record of a query) means "listed" in this zone. */
    public boolean listed(InetAddress answer) {
        if (answer.getAddress().length != 4 || !LOOPBACK_NET.contains(answer)) return false;
        if (codes.isEmpty()) return !ERROR_CODES.contains(answer) && !TEST_CODE.contains(answer);
        for (IpPrefix c : codes) if (c.contains(answer)) return true;
        return false;
    }

    /**
     * The query name for an IP (RFC 5782 section 2.1 for IPv4: octets reversed; section 2.4 for
     * IPv6: 32 nibbles reversed), e.g. {@code 2.0.0.127.zen.example}.
     */
    public String queryFor(InetAddress ip) {
        String reverse = DnsName.reverse(ip);
        String stem = reverse.substring(0, reverse.length() - (reverse.endsWith(".in-addr.arpa") ? 13 : 9));
        return stem + "." + zone;
    }

    /** The query name for a domain (RFC 5782 section 2.2), e.g. {@code example.com.dbl.example}. */
    public String queryFor(moat.core.Domain domain) {
        return domain.ascii() + "." + zone;
    }

    private static InetAddress inet(IpPrefix p) {
        try {
            return InetAddress.getByAddress(p.network());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
