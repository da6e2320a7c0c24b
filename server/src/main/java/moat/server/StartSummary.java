package moat.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.delivery.DeliverySettings;
import moat.server.config.Config;
import moat.server.imap.ImapSettings;
import moat.server.pop3.Pop3Settings;
import moat.server.config.ServerSettings;
import moat.server.content.ContentSettings;
import moat.server.hostname.HostNameCheck;
import moat.server.mailauth.MailAuthSettings;
import moat.server.policy.DnsSettings;
import moat.server.policy.GreylistSettings;
import moat.server.policy.PolicySettings;
import moat.server.tls.TlsSettings;

/**
 * What {@code moat serve} prints once it runs, so an admin sees what is on without reading the
 * config: the listeners (role, address:port), the TLS certificate (names, issuer, expiry), the DNS
 * servers, which checks are on, the host name with its DNS state, and where postmaster mail goes.
 * Built from the config and the started server's facts, never from a second reading of the files.
 *
 * @param listeners   every bound listener
 * @param certificate the leaf in service
 * @param dnsServers  the upstream resolvers in use
 * @param host        the host name check (moat.server.hostname)
 * @param postmaster  where postmaster@ and abuse@ go (moat.server.postmaster)
 */
record StartSummary(Config config, List<Bound> listeners, Optional<X509Certificate> certificate,
                    List<InetSocketAddress> dnsServers, HostNameCheck.Report host, String postmaster) {
    /** One listening socket; {@code address} null for a listener switched off (role "imap off"). */
    record Bound(String role, InetSocketAddress address, boolean implicitTls) {}

    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    StartSummary {
        listeners = List.copyOf(listeners);
        dnsServers = List.copyOf(dnsServers);
    }

    /** The facts of a started server. */
    static StartSummary of(Config config, MoatServer server, HostNameCheck.Report host, String postmaster)
            throws IOException {
        // Each listener by its setting; one switched "off" has no entry and is listed as off.
        record Role(String name, Setting<ListenerPort> setting, boolean implicitTls) {}
        List<Role> roles = List.of(new Role("smtp", ServerSettings.SMTP_PORT, false),
                new Role("submission", ServerSettings.SUBMISSION_PORT, false),
                new Role("submissions", ServerSettings.SUBMISSIONS_PORT, true),
                new Role("imap", ImapSettings.IMAP_PORT, false), new Role("imaps", ImapSettings.IMAPS_PORT, true),
                new Role("pop3", Pop3Settings.POP3_PORT, false), new Role("pop3s", Pop3Settings.POP3S_PORT, true));
        Map<Setting<ListenerPort>, Integer> ports = server.ports();
        List<Bound> bound = new ArrayList<>();
        for (String bind : config.get(ServerSettings.BIND_ADDRESSES)) {
            InetAddress a = InetAddress.getByName(bind); // literal IPs only (the setting's constraint)
            for (Role r : roles) {
                Integer port = ports.get(r.setting());
                if (port != null) bound.add(new Bound(r.name(), new InetSocketAddress(a, port), r.implicitTls()));
            }
        }
        for (Role r : roles) {
            if (!ports.containsKey(r.setting())) bound.add(new Bound(r.name() + " off", null, false));
        }
        List<X509Certificate> chain = server.tls().certificateChain();
        return new StartSummary(config, bound, chain.isEmpty() ? Optional.empty() : Optional.of(chain.getFirst()),
                DnsSettings.servers(config), host, postmaster);
    }

    /** The lines, each starting with "moat: ". */
    List<String> lines(Instant now) {
        List<String> out = new ArrayList<>();
        out.add("moat: " + host.name() + " serving; data in " + config.path(ServerSettings.DATA_DIR));
        out.add("moat: listening: " + String.join(", ", listeners.stream().map(b -> b.address() == null ? b.role()
                : b.role() + " " + literal(b.address()) + (b.implicitTls() ? " (TLS)" : "")).toList()));
        out.add("moat: tls: " + certificate.map(c -> certificate(c, now)).orElse("no certificate")
                + "; " + String.join(", ", config.get(TlsSettings.PROTOCOLS)));
        out.add("moat: dns: " + String.join(", ", dnsServers.stream().map(StartSummary::literal).toList())
                + (config.get(DnsSettings.RESOLVERS).isEmpty() ? " (from /etc/resolv.conf)" : " (dns.resolvers)")
                + ", timeout " + format(config.get(DnsSettings.TIMEOUT)));
        out.add("moat: checks: " + checks());
        out.add("moat: host name: " + host.summary());
        out.add("moat: postmaster: " + postmaster);
        return out;
    }

    private String checks() {
        List<String> on = new ArrayList<>();
        on.add("spf " + config.get(MailAuthSettings.SPF_FAIL_ACTION));
        on.add("dkim verify, sign " + onOff(config.get(MailAuthSettings.DKIM_SIGN)));
        on.add("dmarc " + (config.get(MailAuthSettings.DMARC_ENFORCE) ? "enforced" : "reported only"));
        on.add(zones("dnsbl", config.get(PolicySettings.DNSBL_ZONES), config.get(PolicySettings.DNSBL_ACTION)));
        on.add(zones("rhsbl", config.get(PolicySettings.RHSBL_ZONES), config.get(PolicySettings.RHSBL_ACTION)));
        on.add("rdns " + config.get(PolicySettings.RDNS_NO_PTR));
        on.add("greylisting " + config.get(GreylistSettings.ACTION));
        on.add("attachments " + config.get(ContentSettings.ATTACHMENT_ACTION));
        on.add("patterns " + (config.get(ContentSettings.PATTERNS).isEmpty() ? "off (none)"
                : config.get(ContentSettings.PATTERNS).size() + " " + config.get(ContentSettings.PATTERN_ACTION)));
        // Whether clamd answers is its own start line (ContentStage); here only whether it is asked.
        on.add(config.get(ContentSettings.CLAMD_ADDRESS).isEmpty() ? "antivirus off"
                : config.get(ContentSettings.VIRUS_ACTION).equals("off") ? "antivirus off (content.virus_action)"
                : "antivirus clamd (" + config.get(ContentSettings.VIRUS_ACTION) + ")");
        on.add("outbound delivery " + onOff(config.get(DeliverySettings.ENABLED)));
        return String.join(", ", on);
    }

    private static String zones(String what, List<String> zones, String action) {
        return zones.isEmpty() ? what + " off (no zones)" : what + " " + String.join(" ", zones) + " (" + action + ")";
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    /** Names, issuer and expiry; self-signed said loudly, since remote servers will not trust it. */
    static String certificate(X509Certificate c, Instant now) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) for (List<?> san : sans) if (Integer.valueOf(2).equals(san.get(0))) names.add(String.valueOf(san.get(1)));
        } catch (CertificateParsingException e) {
            names.add("(unreadable names)");
        }
        boolean selfSigned = c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
        Instant expiry = c.getNotAfter().toInstant();
        long days = Duration.between(now, expiry).toDays();
        return c.getSubjectX500Principal().getName() + (names.isEmpty() ? "" : " (" + String.join(", ", names) + ")")
                + (selfSigned ? ", SELF-SIGNED" : ", issued by " + c.getIssuerX500Principal().getName())
                + (expiry.isBefore(now) ? ", EXPIRED " + DAY.format(expiry) : ", expires " + DAY.format(expiry)
                        + " (" + days + " days)");
    }

    /** {@code moat: stopped after 2h 5m 3s}: the one line printed once everything is closed. */
    static String stopped(Duration ran) {
        return "moat: stopped after " + format(ran);
    }

    static String format(Duration d) {
        if (d.compareTo(Duration.ofSeconds(1)) < 0) return d.toMillis() + "ms";
        StringBuilder sb = new StringBuilder();
        if (d.toDays() > 0) sb.append(d.toDays()).append("d ");
        if (d.toHoursPart() > 0) sb.append(d.toHoursPart()).append("h ");
        if (d.toMinutesPart() > 0) sb.append(d.toMinutesPart()).append("m ");
        if (d.toSecondsPart() > 0 || sb.isEmpty()) sb.append(d.toSecondsPart()).append("s ");
        return sb.toString().strip();
    }

    private static String literal(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress().replaceFirst("%.*$", "");
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
