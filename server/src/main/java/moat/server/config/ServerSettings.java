package moat.server.config;

import java.nio.file.Path;
import java.util.List;

/** Settings of the server as a whole: identity, data directory, listeners, relay, audit log. */
public final class ServerSettings {
    /** The default of {@link #HOSTNAME}: replaced by the machine's canonical host name on first use. */
    public static final String DETECTED = "detected";

    public static final Setting<String> HOSTNAME = Setting.ofString("server.hostname", DETECTED,
            "Host name in greetings, HELO/EHLO, certificates and the MX record; \"detected\" = the machine's"
                    + " fully-qualified name (hostname -f); the start and moat config check warn when it does not resolve here");

    public static final Setting<Path> DATA_DIR = Setting.ofPath("server.data_dir", "./moat-data",
            "Directory for the database, message files and TLS files; relative to the working directory");

    public static final Setting<Integer> PORT_OFFSET = Setting.ofInt("server.port_offset", 0, "ports", 0, 60000,
            "Added to every listener port, so a non-root user can run on e.g. 10025/10587 (0 = standard ports)");

    public static final Setting<Integer> SMTP_PORT = Setting.ofInt("listener.smtp_port", 25, "port", 0, 65535,
            "Port for MTA-to-MTA SMTP (RFC 5321), STARTTLS offered, no AUTH; 0 = any free port (tests)");

    public static final Setting<Integer> SUBMISSION_PORT = Setting.ofInt("listener.submission_port", 587, "port", 0,
            65535, "Port for message submission with STARTTLS (RFC 6409); AUTH required");

    public static final Setting<Integer> SUBMISSIONS_PORT = Setting.ofInt("listener.submissions_port", 465, "port", 0,
            65535, "Port for message submission over implicit TLS (RFC 8314); AUTH required");

    public static final Setting<List<String>> BIND_ADDRESSES = Setting.ofStringList("listener.bind_address",
            List.of("0.0.0.0"), "Literal IP addresses the listeners bind to (0.0.0.0 = all IPv4, :: = all)")
            .withConstraint(Constraint.ipAddresses());

    public static final Setting<List<String>> TRUSTED_NETWORKS = Setting.ofStringList("smtp.trusted_networks",
            List.of(), "Networks (CIDR) allowed to relay without AUTH; empty = nobody, not even localhost")
            .withConstraint(Constraint.ipPrefixes());

    public static final Setting<List<String>> RELAY_DOMAINS = Setting.ofStringList("smtp.relay_domains", List.of(),
            "Non-local domains accepted on port 25 and forwarded (backup MX); empty = none")
            .withConstraint(Constraint.of("domain names", v -> v.stream().allMatch(d -> moat.core.Domain.parse(d)
                    .isPresent()), "every element must be a domain name"));

    public static final Setting<List<String>> RELAY_RECIPIENTS = Setting.ofStringList("smtp.relay_recipients", List.of(),
            "Recipients accepted in smtp.relay_domains: addresses or @domain (every recipient of that domain); others get"
                    + " 550 5.1.1 at RCPT; empty = any recipient of a relay domain")
            .withConstraint(Constraint.of("addresses or @domain", v -> v.stream().allMatch(r -> r.startsWith("@")
                    ? moat.core.Domain.parse(r.substring(1)).isPresent() : moat.core.EmailAddress.parse(r).isPresent()),
                    "every element must be an address (user@domain) or @domain"));

    public static final Setting<Path> AUDIT_FILE = Setting.ofPath("log.audit_file", "audit.log",
            "Audit log (one event per line); a relative path is inside server.data_dir");

    private ServerSettings() {}

    /** The listener port after {@link #PORT_OFFSET}; refuses a sum past 65535 (named in the error). */
    public static int effectivePort(Config config, Setting<Integer> port) {
        int p = config.get(port) + config.get(PORT_OFFSET);
        if (p > 65535)
            throw new IllegalArgumentException(port.key() + " + server.port_offset = " + p + " is above 65535");
        return p;
    }

    /**
     * The fully-qualified name of this machine (as {@code hostname -f}), never a loopback name
     * when another is known; {@code moat config check} and the start warn when it will not do
     * (moat.server.hostname.HostNameCheck).
     */
    static String detectHostname() {
        return moat.server.hostname.HostNameCheck.detect(moat.server.hostname.LocalHost.system());
    }
}
