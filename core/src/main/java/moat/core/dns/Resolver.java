package moat.core.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * DNS as the mail code sees it: one method per record type, each answering a {@link DnsResult}
 * and never throwing for a DNS failure. Implementations follow CNAME chains themselves (RFC 1034
 * section 3.6.2) and answer the records of the final name.
 *
 * <p>Names are compared case-insensitively and may end with a dot (RFC 1035 section 2.3.3). A
 * name that cannot be queried ({@link DnsName#isQueryable} is false: an empty label, a label over
 * 63 octets) answers {@link DnsResult.NxDomain} without touching the network.
 * Implementations must be safe for use by many threads at once.
 */
public interface Resolver {

    /**
     * TXT records of {@code name}; each element is one record whose character-strings are
     * concatenated without a separator (RFC 7208 section 3.3).
     */
    DnsResult<List<String>> txt(String name);

    /** A records (IPv4 addresses) of {@code name}. */
    DnsResult<List<InetAddress>> a(String name);

    /** AAAA records (IPv6 addresses) of {@code name}. */
    DnsResult<List<InetAddress>> aaaa(String name);

    /** MX records of {@code name}, in the order the server gave them (not sorted). */
    DnsResult<List<Mx>> mx(String name);

    /** PTR records of the reverse name of {@code address} (RFC 1035 section 3.5, RFC 3596 section 2.5). */
    DnsResult<List<String>> ptr(InetAddress address);

    /**
     * TLSA records of {@code name} such as {@code _25._tcp.mx.example.com} (RFC 6698), for DANE
     * (RFC 7672). The default answers NODATA: a resolver that cannot ask for TLSA never makes
     * DANE apply (delivery stays opportunistic), it never blocks mail.
     */
    default DnsResult<List<Tlsa>> tlsa(String name) {
        return new DnsResult.NoData<>();
    }
}
