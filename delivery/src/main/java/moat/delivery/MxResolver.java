package moat.delivery;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import moat.core.Domain;
import moat.core.dns.DnsResult;
import moat.core.dns.Mx;
import moat.core.dns.Resolver;

/**
 * Where mail for a domain goes (RFC 5321 section 5.1): the MX hosts in preference order, hosts of
 * equal preference shuffled (spreading load as section 5.1 asks), each with its IPv6 then IPv4
 * addresses; no MX record (NODATA) means the domain itself is the implicit MX; NXDOMAIN means the
 * domain does not exist; the null MX {@code 0 .} (RFC 7505) means it accepts no mail. Domains are
 * already A-labels ({@link Domain}), so IDN domains are queried in their ASCII form.
 *
 * <p>LIMITATION: when this host is itself one of the MX hosts, RFC 5321 section 5.1 asks to try
 * only the more preferred ones; Moat does not detect that (a relay domain whose MX is Moat itself
 * would loop until the hop count of the receiving side stops it).
 */
public final class MxResolver {

    /**
     * One mail exchanger with its addresses, IPv6 first. {@code dnssec}: the MX answer (or, for
     * the implicit MX, the address answer) and this host's address answers were validated, the
     * condition for DANE (RFC 7672 section 2.2).
     */
    public record Host(String name, int preference, List<InetAddress> addresses, boolean dnssec) {
        public Host {
            addresses = List.copyOf(addresses);
        }
    }

    public sealed interface Route {
        /** Hosts with at least one address, in the order to try. */
        record Hosts(List<Host> hosts) implements Route {
            public Hosts {
                hosts = List.copyOf(hosts);
            }
        }

        record NoDomain() implements Route {}

        record NullMx() implements Route {}

        /** MX hosts exist but none has an address (all NXDOMAIN/NODATA). */
        record NoAddress() implements Route {}

        record TempFail(String why) implements Route {}
    }

    private final Resolver dns;
    private final RandomGenerator random;
    private final int maxHosts;

    public MxResolver(Resolver dns, RandomGenerator random, int maxHosts) {
        this.dns = dns;
        this.random = random;
        this.maxHosts = maxHosts;
    }

    public Route resolve(Domain domain) {
        List<Mx> mxs;
        boolean mxSecure;
        switch (dns.mx(domain.ascii())) {
            case DnsResult.Answer<List<Mx>> a -> {
                mxs = a.records();
                mxSecure = a.dnssecAuthenticated();
            }
            case DnsResult.NoData<List<Mx>> n -> {
                mxs = List.of(new Mx(0, domain.ascii())); // implicit MX
                mxSecure = true; // the address answers below decide (RFC 7672 section 2.2.1)
            }
            case DnsResult.NxDomain<List<Mx>> n -> {
                return new Route.NoDomain();
            }
            case DnsResult.TempFail<List<Mx>> t -> {
                return new Route.TempFail("MX " + domain + ": " + t.why());
            }
        }
        List<Mx> real = mxs.stream().filter(m -> !isRoot(m.host())).toList();
        if (real.isEmpty()) return new Route.NullMx(); // RFC 7505 section 3: "0 ." and nothing else
        List<Mx> ordered = order(real);
        List<Host> hosts = new ArrayList<>();
        String tempFail = null;
        for (Mx mx : ordered.subList(0, Math.min(maxHosts, ordered.size()))) {
            List<InetAddress> addrs = new ArrayList<>();
            boolean secure = mxSecure;
            for (DnsResult<List<InetAddress>> r : List.of(dns.aaaa(mx.host()), dns.a(mx.host()))) {
                switch (r) {
                    case DnsResult.Answer<List<InetAddress>> a -> {
                        addrs.addAll(a.records());
                        secure &= a.dnssecAuthenticated();
                    }
                    case DnsResult.TempFail<List<InetAddress>> t -> tempFail = mx.host() + ": " + t.why();
                    case DnsResult.NxDomain<List<InetAddress>> n -> { }
                    case DnsResult.NoData<List<InetAddress>> n -> { }
                }
            }
            if (!addrs.isEmpty()) hosts.add(new Host(mx.host(), mx.preference(), addrs, secure));
        }
        if (!hosts.isEmpty()) return new Route.Hosts(hosts);
        return tempFail != null ? new Route.TempFail(tempFail) : new Route.NoAddress();
    }

    /** A smart host: its own addresses (an IP literal as is), no MX look-up. */
    public Route resolveHost(String host) {
        // Only literals reach InetAddress.getByName (a name there would query the system resolver).
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.matches("[0-9A-Fa-f:.]+") && host.contains(":")) {
            try {
                return new Route.Hosts(List.of(new Host(host, 0, List.of(InetAddress.getByName(host)), false)));
            } catch (java.net.UnknownHostException e) {
                return new Route.NoAddress();
            }
        }
        List<InetAddress> addrs = new ArrayList<>();
        String tempFail = null;
        for (DnsResult<List<InetAddress>> r : List.of(dns.aaaa(host), dns.a(host))) {
            switch (r) {
                case DnsResult.Answer<List<InetAddress>> a -> addrs.addAll(a.records());
                case DnsResult.TempFail<List<InetAddress>> t -> tempFail = host + ": " + t.why();
                case DnsResult.NxDomain<List<InetAddress>> n -> { }
                case DnsResult.NoData<List<InetAddress>> n -> { }
            }
        }
        if (!addrs.isEmpty()) return new Route.Hosts(List.of(new Host(host, 0, addrs, false)));
        // A smart host that does not resolve is a configuration problem: defer, never bounce.
        return new Route.TempFail(tempFail != null ? tempFail : "smart host " + host + " has no address");
    }

    private static boolean isRoot(String host) {
        return host.isEmpty() || host.equals(".");
    }

    /** Lowest preference first; equal preferences in random order (RFC 5321 section 5.1). */
    private List<Mx> order(List<Mx> mxs) {
        Map<Integer, List<Mx>> byPref = new java.util.TreeMap<>();
        Map<String, Mx> unique = new LinkedHashMap<>();
        for (Mx m : mxs) unique.merge(m.host(), m, (x, y) -> x.preference() <= y.preference() ? x : y);
        for (Mx m : unique.values()) byPref.computeIfAbsent(m.preference(), k -> new ArrayList<>()).add(m);
        List<Mx> out = new ArrayList<>();
        for (List<Mx> group : byPref.values()) {
            Collections.shuffle(group, random);
            out.addAll(group);
        }
        return out;
    }
}
