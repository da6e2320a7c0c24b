package moat.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import moat.core.Domain;
import moat.core.config.Constraint;

/**
 * Per-domain next hops ({@code delivery.transports}), in the spirit of Postfix's transport map:
 * {@code "example.com = 10.0.0.5:25"} or {@code "example.net = [mail.internal]:2525"}. The mail of
 * an edge relay or a backup MX goes to the internal server instead of the domain's public MX.
 *
 * <p>Syntax of one entry: {@code domain = host[:port]} or {@code domain = [host][:port]}. A host
 * name without brackets is looked up as a mail domain (its MX records, else its address, as
 * RFC 5321 section 5.1); {@code [host]} means no MX look-up, only the host's A/AAAA; an IP literal
 * is used as is (IPv6 only in brackets, {@code [::1]:25}). The port defaults to
 * {@code delivery.smtp_port}. The domain matches exactly (no subdomains, like
 * {@code smtp.relay_domains}).
 */
public final class Transports {
    /** Where one domain's mail goes. {@code mxLookup}: the host is a mail domain (no brackets, not a literal). */
    public record NextHop(Domain domain, String host, boolean mxLookup, OptionalInt port) {
        public int portOr(int fallback) {
            return port.orElse(fallback);
        }

        @Override
        public String toString() {
            return domain.ascii() + " = " + (mxLookup ? host : "[" + host + "]") + (port.isPresent() ? ":" + port.getAsInt() : "");
        }
    }

    /** Longest accepted entry: a domain, a host name and a port fit in far less. */
    static final int MAX_ENTRY = 600;

    private final Map<Domain, NextHop> byDomain;

    private Transports(Map<Domain, NextHop> byDomain) {
        this.byDomain = Map.copyOf(byDomain);
    }

    public static Transports none() {
        return new Transports(Map.of());
    }

    /** Parses the setting's entries; throws {@link IllegalArgumentException} naming the bad entry. */
    public static Transports parse(List<String> entries) {
        Map<Domain, NextHop> out = new LinkedHashMap<>();
        for (String e : entries) {
            NextHop h = parseEntry(e).orElseThrow(() -> new IllegalArgumentException(problem(e).orElse("bad entry") + ": " + e));
            if (out.putIfAbsent(h.domain(), h) != null)
                throw new IllegalArgumentException("domain listed twice: " + h.domain().ascii());
        }
        return new Transports(out);
    }

    public Optional<NextHop> forDomain(Domain d) {
        return Optional.ofNullable(byDomain.get(d));
    }

    public boolean isEmpty() {
        return byDomain.isEmpty();
    }

    /**
     * The hosts of a next hop: {@code [host]} and literals by address only, a bare name by its MX
     * records (as {@link MxResolver#resolve}). A configured hop that does not resolve, has a null
     * MX or no address is a configuration or internal-DNS problem, not the recipient's: it
     * defers (the mail waits in the queue), it never fails.
     */
    static MxResolver.Route route(MxResolver mx, NextHop hop) {
        MxResolver.Route r = hop.mxLookup() ? mx.resolve(Domain.of(hop.host())) : mx.resolveHost(hop.host());
        return switch (r) {
            case MxResolver.Route.Hosts h -> h;
            case MxResolver.Route.TempFail t -> t;
            case MxResolver.Route.NoDomain n -> new MxResolver.Route.TempFail("next hop " + hop + ": no such domain");
            case MxResolver.Route.NullMx n -> new MxResolver.Route.TempFail("next hop " + hop + ": null MX");
            case MxResolver.Route.NoAddress n -> new MxResolver.Route.TempFail("next hop " + hop + ": no address");
        };
    }

    /** The setting's constraint: every entry parses and no domain is listed twice. */
    public static Constraint<List<String>> constraint() {
        return new Constraint<>() {
            @Override
            public Optional<String> problem(List<String> value) {
                List<Domain> seen = new ArrayList<>();
                for (String e : value) {
                    Optional<String> p = Transports.problem(e);
                    if (p.isPresent()) return Optional.of("\"" + shorten(e) + "\": " + p.get());
                    Domain d = parseEntry(e).orElseThrow().domain();
                    if (seen.contains(d)) return Optional.of("domain listed twice: " + d.ascii());
                    seen.add(d);
                }
                return Optional.empty();
            }

            @Override
            public String describe() {
                return "entries \"domain = host[:port]\" or \"domain = [host][:port]\" ([host]: no MX look-up), one per domain";
            }
        };
    }

    /** Why one entry is refused, or empty when it parses. */
    static Optional<String> problem(String entry) {
        if (entry.length() > MAX_ENTRY) return Optional.of("longer than " + MAX_ENTRY + " characters");
        int eq = entry.indexOf('=');
        if (eq < 0) return Optional.of("expected \"domain = host[:port]\"");
        String dom = entry.substring(0, eq).strip();
        if (Domain.parse(dom).isEmpty()) return Optional.of("\"" + shorten(dom) + "\" is not a domain name");
        String rest = entry.substring(eq + 1).strip();
        if (rest.isEmpty()) return Optional.of("no next hop after '='");
        return hop(Domain.parse(dom).get(), rest).isPresent() ? Optional.empty()
                : Optional.of("next hop must be host, host:port, [host] or [host]:port (port 1-65535)");
    }

    static Optional<NextHop> parseEntry(String entry) {
        if (entry.length() > MAX_ENTRY) return Optional.empty();
        int eq = entry.indexOf('=');
        if (eq < 0) return Optional.empty();
        Optional<Domain> d = Domain.parse(entry.substring(0, eq).strip());
        return d.flatMap(x -> hop(x, entry.substring(eq + 1).strip()));
    }

    private static Optional<NextHop> hop(Domain domain, String s) {
        String host;
        String portText = null;
        boolean bracketed = s.startsWith("[");
        if (bracketed) {
            int close = s.indexOf(']');
            if (close < 0) return Optional.empty();
            host = s.substring(1, close);
            String after = s.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) return Optional.empty();
                portText = after.substring(1);
            }
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) return Optional.empty(); // IPv6 needs brackets
            host = colon < 0 ? s : s.substring(0, colon);
            if (colon >= 0) portText = s.substring(colon + 1);
        }
        OptionalInt port = OptionalInt.empty();
        if (portText != null) {
            if (!portText.matches("\\d{1,5}")) return Optional.empty();
            int p = Integer.parseInt(portText);
            if (p < 1 || p > 65535) return Optional.empty();
            port = OptionalInt.of(p);
        }
        boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = bracketed && host.contains(":") && host.matches("[0-9A-Fa-f:.]+");
        if (ipv4 && !validIpv4(host)) return Optional.empty();
        if (!ipv4 && !ipv6 && Domain.parse(host).isEmpty()) return Optional.empty();
        // A literal is never looked up as a mail domain, bracketed or not.
        boolean mxLookup = !bracketed && !ipv4;
        String name = ipv4 || ipv6 ? host : Domain.parse(host).get().ascii();
        return Optional.of(new NextHop(domain, name, mxLookup, port));
    }

    private static boolean validIpv4(String s) {
        for (String part : s.split("\\.")) if (Integer.parseInt(part) > 255) return false;
        return true;
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
