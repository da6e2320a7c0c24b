package moat.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import moat.core.config.Constraint;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;

/** Settings of the server as a whole: identity, data directory, listeners, relay, audit log. */
public final class ServerSettings {
    /** The default of {@link #HOSTNAME}: replaced by the machine's canonical host name on first use. */
    public static final String DETECTED = "detected";

    public static final Setting<String> HOSTNAME = Setting.ofString("server.hostname", DETECTED,
            "Host name in greetings, HELO/EHLO, certificates and the MX record; \"detected\" = the machine's"
                    + " fully-qualified name (hostname -f); the start and moat config check warn when it does not resolve here");

    public static final Setting<Path> DATA_DIR = Setting.ofPath("server.data_dir", "./moat-data",
            "Directory for the database, message files and TLS files; relative to the directory of moat.toml");

    public static final Setting<Integer> PORT_OFFSET = Setting.ofInt("server.port_offset", 0, "ports", 0, 60000,
            "Added to every listener port set to a number, so a non-root user can run on e.g. 10025/10587 (0 = standard"
                    + " ports); \"off\" and \"ephemeral\" listeners stay as they are");

    public static final Setting<ListenerPort> SMTP_PORT = Setting.ofPort("listener.smtp_port", 25,
            "Port for MTA-to-MTA SMTP (RFC 5321), STARTTLS offered, no AUTH; \"off\" = no listener");

    public static final Setting<ListenerPort> SUBMISSION_PORT = Setting.ofPort("listener.submission_port", 587,
            "Port for message submission with STARTTLS (RFC 6409); AUTH required; \"off\" = no listener");

    public static final Setting<ListenerPort> SUBMISSIONS_PORT = Setting.ofPort("listener.submissions_port", 465,
            "Port for message submission over implicit TLS (RFC 8314); AUTH required; \"off\" = no listener");

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

    /**
     * The port to bind after {@link #PORT_OFFSET}: empty when the listener is off, 0 for an
     * ephemeral port (the offset shifts fixed ports only). Refuses a sum past 65535 (named in the error).
     */
    public static OptionalInt effectivePort(Config config, Setting<ListenerPort> port) {
        return switch (config.get(port)) {
            case ListenerPort.Off off -> OptionalInt.empty();
            case ListenerPort.Ephemeral any -> OptionalInt.of(0);
            case ListenerPort.Fixed fixed -> {
                int p = fixed.number() + config.get(PORT_OFFSET);
                if (p > 65535)
                    throw new IllegalArgumentException(port.key() + " + server.port_offset = " + p + " is above 65535");
                yield OptionalInt.of(p);
            }
        };
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
