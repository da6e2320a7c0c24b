package moat.server.hostname;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;

/**
 * The host name Moat uses (greeting, HELO, certificate, MX record) and whether the world can use
 * it: a fully-qualified name, not localhost, that resolves to an address of this host
 * (forward-confirmed, as receiving servers check it with the PTR of our address).
 *
 * <p>Inputs are injected (the {@link Resolver}, the {@link LocalHost}) so the verdicts are tested
 * on literal data. A DNS failure is reported as "could not check", never as a wrong name.
 *
 * <p>LIMITATION: behind 1:1 NAT (a cloud VM with a public IP that its interfaces do not carry)
 * the name resolves to an address that is not on an interface; that is reported, with NAT named
 * as the likely and harmless cause.
 */
public final class HostNameCheck {
    private HostNameCheck() {}

    /** Loopback names: never a mail server's name to the world. */
    private static final List<String> LOOPBACK_NAMES = List.of("localhost", "localhost.localdomain", "ip6-localhost");

    /**
     * The name to use when server.hostname is not set: the first fully-qualified name the system
     * gives that is not a loopback name, else the first name that is not a loopback name, else
     * {@code localhost} (which {@link #check} then warns about).
     */
    public static String detect(LocalHost host) {
        List<String> names = host.names().stream().map(n -> n.replaceFirst("\\.$", "").toLowerCase(Locale.ROOT))
                .filter(n -> !n.isEmpty() && !isLoopbackName(n)).toList();
        return names.stream().filter(n -> n.contains(".")).findFirst()
                .orElse(names.isEmpty() ? "localhost" : names.getFirst());
    }

    static boolean isLoopbackName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return LOOPBACK_NAMES.contains(n) || n.endsWith(".localhost");
    }

    /** What is wrong with a name, one per kind. */
    public sealed interface Problem {
        /** localhost: only this machine can reach it. */
        record Loopback() implements Problem {}

        /** One label: not a name other servers can look up (RFC 5321 section 4.1.1.1 wants the FQDN). */
        record NotQualified() implements Problem {}

        /** No A or AAAA record. */
        record NotInDns() implements Problem {}

        /** It resolves, but to none of this host's addresses (NAT, or the name belongs to another host). */
        record ElsewhereInDns(List<InetAddress> addresses) implements Problem {}

        /** DNS failed: the name could not be checked (not a verdict on the name). */
        record Unchecked(String why) implements Problem {}
    }

    /**
     * @param name       the name in use
     * @param configured true when server.hostname set it, false when it was detected
     * @param resolved   its A and AAAA addresses (empty when none or unchecked)
     * @param local      this host's interface addresses
     * @param suggestion a better name when one is known (the forward-confirmed PTR of a public local address)
     */
    public record Report(String name, boolean configured, List<InetAddress> resolved, List<InetAddress> local,
                         List<Problem> problems, Optional<String> suggestion) {
        public Report {
            resolved = List.copyOf(resolved);
            local = List.copyOf(local);
            problems = List.copyOf(problems);
        }

        /** True when another mail server could not use the name (a DNS failure alone is not that). */
        public boolean bad() {
            return problems.stream().anyMatch(p -> !(p instanceof Problem.Unchecked));
        }

        /** The one-line state for the start summary: "mx.example.org (set; resolves to this host)". */
        public String summary() {
            String how = configured ? "server.hostname" : "detected";
            if (problems.isEmpty()) return name + " (" + how + "; resolves to this host)";
            return name + " (" + how + "; " + String.join("; ", problems.stream().map(this::say).toList()) + ")";
        }

        /**
         * The warning to print (empty when the name is fine): what is wrong, why it matters, and
         * the exact line to set.
         */
        public List<String> warning() {
            if (!bad()) return problems.isEmpty() ? List.of()
                    : List.of("note: host name " + name + ": " + say(problems.getFirst()));
            String wanted = suggestion.orElse("mail.example.org");
            List<String> out = new ArrayList<>();
            out.add("WARNING: the host name " + name + " (" + (configured ? "server.hostname" : "detected, server.hostname"
                    + " is not set") + ") " + String.join("; ", problems.stream().map(this::say).toList()) + ".");
            out.add("  Other mail servers see it in the greeting and EHLO and check it against your address's PTR;"
                    + " it is also the certificate's name and the MX target of `moat dns records`.");
            out.add("  Set the name your MX record points to (its A/AAAA record must be this host's address):");
            out.add("    server.hostname = \"" + wanted + "\"      (moat.toml), or:");
            out.add("    ./moat config set server.hostname " + wanted);
            return out;
        }

        private String say(Problem p) {
            return switch (p) {
                case Problem.Loopback l -> "is a loopback name: nobody else can reach it";
                case Problem.NotQualified n -> "has no dot: it is not a fully-qualified domain name";
                case Problem.NotInDns n -> "has no A or AAAA record in DNS";
                case Problem.ElsewhereInDns e -> "resolves to " + literals(e.addresses()) + ", none of this host's"
                        + " addresses (" + (local.isEmpty() ? "none known" : literals(local)) + ")"
                        + " (fine behind 1:1 NAT, e.g. a cloud VM's public IP; otherwise the name is another host's)";
                case Problem.Unchecked u -> "could not be checked in DNS (" + u.why() + ")";
            };
        }
    }

    /** Checks {@code name} with {@code dns} against {@code host}'s addresses. */
    public static Report check(String name, boolean configured, Resolver dns, LocalHost host) {
        List<InetAddress> local = host.addresses();
        List<Problem> problems = new ArrayList<>();
        List<InetAddress> resolved = new ArrayList<>();
        if (isLoopbackName(name)) {
            problems.add(new Problem.Loopback());
        } else if (!name.contains(".")) {
            problems.add(new Problem.NotQualified());
        } else {
            Optional<String> failure = addresses(dns, name, resolved);
            if (failure.isPresent()) problems.add(new Problem.Unchecked(failure.get()));
            else if (resolved.isEmpty()) problems.add(new Problem.NotInDns());
            else if (resolved.stream().noneMatch(a -> contains(local, a))) problems.add(new Problem.ElsewhereInDns(resolved));
        }
        Optional<String> suggestion = problems.isEmpty() ? Optional.empty() : confirmedPtr(dns, local, name);
        return new Report(name, configured, resolved, local, problems, suggestion);
    }

    /** A and AAAA of {@code name} into {@code out}; a DNS failure's text when one failed. */
    static Optional<String> addresses(Resolver dns, String name, List<InetAddress> out) {
        Optional<String> failure = Optional.empty();
        for (DnsResult<List<InetAddress>> r : List.of(dns.a(name), dns.aaaa(name))) {
            switch (r) {
                case DnsResult.Answer<List<InetAddress>> a -> out.addAll(a.records());
                case DnsResult.NxDomain<List<InetAddress>> n -> { }
                case DnsResult.NoData<List<InetAddress>> n -> { }
                case DnsResult.TempFail<List<InetAddress>> t -> failure = Optional.of(t.why());
            }
        }
        return out.isEmpty() ? failure : Optional.empty();
    }

    /** The first PTR name of a public local address that resolves back to it (iprev, RFC 8601 section 3). */
    private static Optional<String> confirmedPtr(Resolver dns, List<InetAddress> local, String current) {
        for (InetAddress ip : local.stream().filter(HostNameCheck::isPublic).toList()) {
            if (!(dns.ptr(ip) instanceof DnsResult.Answer<List<String>> ptr)) continue;
            for (String n : ptr.records()) {
                String name = n.replaceFirst("\\.$", "").toLowerCase(Locale.ROOT);
                List<InetAddress> back = new ArrayList<>();
                if (!name.equals(current) && addresses(dns, name, back).isEmpty() && contains(back, ip))
                    return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /**
     * The addresses other servers would reach this host on: the public addresses of its
     * interfaces; else (behind NAT) the public addresses its name resolves to. Empty when only
     * private or loopback addresses are known.
     */
    public static List<InetAddress> publicAddresses(Report report) {
        List<InetAddress> own = report.local().stream().filter(HostNameCheck::isPublic).toList();
        if (!own.isEmpty()) return own;
        return report.resolved().stream().filter(HostNameCheck::isPublic).toList();
    }

    /**
     * Reachable from the Internet: not loopback, link-local, private (RFC 1918), shared (RFC 6598
     * 100.64/10), unique-local (RFC 4193 fc00::/7), wildcard or multicast.
     */
    public static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) return false;
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) return !((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) && (b[0] & 0xff) != 0;
        if (a instanceof Inet6Address) return (b[0] & 0xfe) != 0xfc;
        return false;
    }

    /** By address bytes: an interface's IPv6 address carries a scope id that DNS answers do not. */
    static boolean contains(List<InetAddress> list, InetAddress a) {
        return list.stream().anyMatch(x -> Arrays.equals(x.getAddress(), a.getAddress()));
    }

    static String literals(List<InetAddress> list) {
        return String.join(", ", list.stream().map(a -> a.getHostAddress().replaceFirst("%.*$", "")).toList());
    }
}
