package moat.server.policy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import moat.core.config.Constraint;
import moat.core.config.Setting;
import moat.dns.DnsjavaResolver;
import moat.dns.ResolvConf;
import moat.server.config.Config;

/** The DNS resolver every check, SPF and outbound delivery use. */
public final class DnsSettings {
    public static final Setting<List<String>> RESOLVERS = Setting.ofStringList("dns.resolvers", List.of(),
            "Upstream recursive resolvers (IP or IP:port, [v6]:port), tried in order; empty = nameserver lines of "
                    + "/etc/resolv.conf (none: 127.0.0.1). Use a validating resolver on loopback (unbound) for DNSSEC status and DNSBLs")
            .withConstraint(Constraint.of("IP literals with optional port", v -> v.stream().allMatch(DnsSettings::isServer),
                    "every element must be an IP address, IP:port or [IPv6]:port"));
    public static final Setting<Duration> TIMEOUT = Setting.ofDuration("dns.timeout", "5s", "100ms", "60s",
            "Time allowed for one DNS query over all upstreams; a timeout is a temporary failure, never \"no record\"");
    public static final Setting<Integer> CACHE_SIZE = Setting.ofInt("dns.cache_size", 10_000, "entries", 0, 10_000_000,
            "Answers cached for their TTL (least recently used evicted first); 0 = no cache");
    public static final Setting<Duration> MAX_CACHE_TTL = Setting.ofDuration("dns.max_cache_ttl", "1h", "1s", "1d",
            "Longest time any answer is cached, whatever its TTL");

    private DnsSettings() {}

    /** The resolver for {@code config}; reads /etc/resolv.conf when {@code dns.resolvers} is empty. */
    public static DnsjavaResolver resolver(Config c, Clock clock) throws IOException {
        return new DnsjavaResolver(new DnsjavaResolver.Config(servers(c), c.get(TIMEOUT), c.get(CACHE_SIZE),
                c.get(MAX_CACHE_TTL)), clock);
    }

    /** The upstream servers {@link #resolver} asks, in order (also for the start summary). */
    public static List<InetSocketAddress> servers(Config c) throws IOException {
        Path resolvConf = Path.of("/etc/resolv.conf");
        List<InetSocketAddress> servers = c.get(RESOLVERS).isEmpty()
                ? (java.nio.file.Files.isReadable(resolvConf) ? ResolvConf.read(resolvConf) : List.of())
                : c.get(RESOLVERS).stream().map(ResolvConf::parseServer).toList();
        if (servers.isEmpty()) {
            // resolv.conf(5): without nameserver lines the resolver on the local machine is used.
            servers = List.of(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 53));
        }
        return servers;
    }

    private static boolean isServer(String s) {
        try {
            ResolvConf.parseServer(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
