package moat.core.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link Resolver} answering from records held in memory, built programmatically: for tests of
 * every module that reads DNS, and for dry runs. Immutable once built, so safe to share.
 *
 * <pre>{@code
 * Resolver dns = StaticZone.builder()
 *     .txt("example.com", "v=spf1 mx -all")
 *     .mx("example.com", 10, "mail.example.com")
 *     .a("mail.example.com", "192.0.2.1")
 *     .timeout("slow.example.com")
 *     .build();
 * }</pre>
 *
 * <p>A name with no records at all is NXDOMAIN; a name with records of other types, or declared
 * with {@link Builder#name}, answers NODATA. A name marked {@link Builder#timeout} answers
 * {@link DnsResult.TempFail} to every query. CNAMEs are followed up to {@value #MAX_CNAME_HOPS}
 * hops; a longer chain or a loop is a TempFail, as a recursive resolver would report SERVFAIL.
 */
public final class StaticZone implements Resolver {
    static final int MAX_CNAME_HOPS = 8;

    private final Map<String, Node> nodes;
    private final boolean dnssec;

    private StaticZone(Map<String, Node> nodes, boolean dnssec) {
        this.nodes = nodes;
        this.dnssec = dnssec;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public DnsResult<List<String>> txt(String name) {
        return lookup(name, n -> n.txt);
    }

    @Override
    public DnsResult<List<InetAddress>> a(String name) {
        return lookup(name, n -> n.a);
    }

    @Override
    public DnsResult<List<InetAddress>> aaaa(String name) {
        return lookup(name, n -> n.aaaa);
    }

    @Override
    public DnsResult<List<Mx>> mx(String name) {
        return lookup(name, n -> n.mx);
    }

    @Override
    public DnsResult<List<String>> ptr(InetAddress address) {
        return lookup(DnsName.reverse(address), n -> n.ptr);
    }

    @Override
    public DnsResult<List<Tlsa>> tlsa(String name) {
        return lookup(name, n -> n.tlsa);
    }

    private <T> DnsResult<List<T>> lookup(String name, Function<Node, List<T>> type) {
        if (!DnsName.isQueryable(name)) return new DnsResult.NxDomain<>();
        String current = DnsName.normalize(name);
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            Node node = nodes.get(current);
            if (node == null) return new DnsResult.NxDomain<>();
            if (node.timeout) return new DnsResult.TempFail<>("timeout querying " + current);
            if (node.cname.isPresent()) {
                current = node.cname.get();
                continue;
            }
            List<T> records = type.apply(node);
            return records.isEmpty() ? new DnsResult.NoData<>() : new DnsResult.Answer<>(List.copyOf(records), dnssec);
        }
        return new DnsResult.TempFail<>("CNAME chain too long or looping at " + DnsName.normalize(name));
    }

    private static final class Node {
        final List<String> txt = new ArrayList<>();
        final List<InetAddress> a = new ArrayList<>();
        final List<InetAddress> aaaa = new ArrayList<>();
        final List<Mx> mx = new ArrayList<>();
        final List<String> ptr = new ArrayList<>();
        final List<Tlsa> tlsa = new ArrayList<>();
        Optional<String> cname = Optional.empty();
        boolean timeout;
    }

    /** Collects records; names are case-insensitive and may end with a dot. */
    public static final class Builder {
        private final Map<String, Node> nodes = new HashMap<>();
        private boolean dnssec;

        private Builder() {}

        private Node node(String name) {
            return nodes.computeIfAbsent(DnsName.normalize(name), k -> new Node());
        }

        /** Declares that {@code name} exists, so queries for types it lacks answer NODATA, not NXDOMAIN. */
        public Builder name(String name) {
            node(name);
            return this;
        }

        /** One TXT record; give its character-strings already concatenated. */
        public Builder txt(String name, String text) {
            node(name).txt.add(text);
            return this;
        }

        /** An A or AAAA record, chosen by the literal's family. Only IP literals are accepted. */
        public Builder address(String name, String literal) {
            InetAddress ip = literal(literal);
            if (ip.getAddress().length == 4) node(name).a.add(ip);
            else node(name).aaaa.add(ip);
            return this;
        }

        public Builder a(String name, String ipv4) {
            InetAddress ip = literal(ipv4);
            if (ip.getAddress().length != 4) throw new IllegalArgumentException("not IPv4: " + ipv4);
            node(name).a.add(ip);
            return this;
        }

        public Builder aaaa(String name, String ipv6) {
            InetAddress ip = literal(ipv6);
            if (ip.getAddress().length != 16) throw new IllegalArgumentException("not IPv6: " + ipv6);
            node(name).aaaa.add(ip);
            return this;
        }

        public Builder mx(String name, int preference, String host) {
            node(name).mx.add(new Mx(preference, host));
            return this;
        }

        /** A PTR record for the reverse name of {@code address}. */
        public Builder ptr(InetAddress address, String host) {
            return ptr(DnsName.reverse(address), host);
        }

        /** A PTR record at an explicit reverse name such as {@code 4.3.2.1.in-addr.arpa}. */
        public Builder ptr(String reverseName, String host) {
            node(reverseName).ptr.add(DnsName.normalize(host));
            return this;
        }

        /** A TLSA record, e.g. {@code tlsa("_25._tcp.mx.example.com", 3, 1, 1, "ab12...")}. */
        public Builder tlsa(String name, int usage, int selector, int matchingType, String hex) {
            node(name).tlsa.add(new Tlsa(usage, selector, matchingType, hex));
            return this;
        }

        public Builder cname(String name, String target) {
            node(name).cname = Optional.of(DnsName.normalize(target));
            return this;
        }

        /** Every query for {@code name} (of any type) times out. */
        public Builder timeout(String name) {
            node(name).timeout = true;
            return this;
        }

        /** Marks every answer as DNSSEC-authenticated (the AD bit of a validating resolver). */
        public Builder dnssecAuthenticated(boolean authenticated) {
            this.dnssec = authenticated;
            return this;
        }

        public StaticZone build() {
            Map<String, Node> copy = new HashMap<>(nodes);
            nodes.clear(); // the built zone owns the nodes; a reused builder starts empty
            return new StaticZone(Map.copyOf(copy), dnssec);
        }

        private static InetAddress literal(String text) {
            // Only hex digits, dots and colons: InetAddress.getByName would otherwise query DNS.
            if (!text.matches("[0-9A-Fa-f:.]+")) throw new IllegalArgumentException("not an IP literal: " + text);
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP literal: " + text, e);
            }
        }
    }
}
