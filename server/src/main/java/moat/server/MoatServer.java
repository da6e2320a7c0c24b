package moat.server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import moat.core.Domain;
import moat.core.Event;
import moat.core.IpPrefix;
import moat.core.Reason;
import moat.core.Reply;
import moat.core.dns.Resolver;
import moat.policy.Policy;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.audit.AuditLog;
import moat.server.audit.AuditSettings;
import moat.server.config.Config;
import moat.server.content.ContentStage;
import moat.server.config.ServerSettings;
import moat.server.config.Setting;
import moat.server.pop3.Pop3Service;
import moat.server.limits.AuthThrottle;
import moat.server.limits.ConnectionGate;
import moat.server.limits.LimitSettings;
import moat.server.limits.ListenerLimits;
import moat.server.limits.ThrottledLogins;
import moat.server.mailauth.MailAuth;
import moat.server.policy.DnsSettings;
import moat.server.policy.Perimeter;
import moat.server.policy.StoreUserLists;
import moat.server.imap.ImapListener;
import moat.server.imap.ImapSettings;
import moat.server.imap.StoreBackend;
import moat.server.quota.StorageQuota;
import moat.server.smtp.DeliveryHandler;
import moat.server.smtp.RelayPolicy;
import moat.server.smtp.SmtpListener;
import moat.server.smtp.SmtpSettings;
import moat.server.tls.TlsContext;
import moat.server.tls.TlsSettings;
import moat.store.sqlite.SqliteStore;
import moat.store.sqlite.StoreSettings;

/**
 * The composition root: opens the store, TLS and the audit log, then starts the listeners. All
 * wiring is plain {@code new} here; there is no container.
 */
public final class MoatServer implements AutoCloseable {
    private final SqliteStore store;
    private final TlsContext tls;
    private final AuditLog audit;
    private final List<SmtpListener> listeners;
    private final Map<Listener, Integer> ports;
    private final Pop3Service pop3;
    private final ConnectionGate gate;
    private final AuthThrottle authThrottle;
    private final List<ImapListener> imapListeners;
    private moat.server.delivery.QueueRunner queueRunner;

    private MoatServer(SqliteStore store, TlsContext tls, AuditLog audit, List<SmtpListener> listeners,
                       Map<Listener, Integer> ports, Pop3Service pop3, ConnectionGate gate, AuthThrottle authThrottle,
                       List<ImapListener> imapListeners) {
        this.gate = gate;
        this.authThrottle = authThrottle;
        this.imapListeners = imapListeners;
        this.store = store;
        this.tls = tls;
        this.audit = audit;
        this.listeners = listeners;
        this.ports = ports;
        this.pop3 = pop3;
    }

    /** A start-up failure with a message for the admin (no stack trace needed). */
    public static final class StartupException extends Exception {
        public StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static MoatServer start(Config config, Clock clock, Consumer<String> console)
            throws IOException, StartupException {
        return start(config, clock, console, DnsSettings.resolver(config, clock));
    }

    /** As {@link #start(Config, Clock, Consumer)} with a given DNS resolver (a test DNS server, a dry run). */
    public static MoatServer start(Config config, Clock clock, Consumer<String> console, Resolver dns)
            throws IOException, StartupException {
        return start(config, clock, console, dns, List.of());
    }

    /**
     * As {@link #start(Config, Clock, Consumer, Resolver)} with content checks of the embedding
     * program, run after the configured ones (content.*) at end of DATA on every listener.
     */
    public static MoatServer start(Config config, Clock clock, Consumer<String> console, Resolver dns,
                                   List<Policy.Rule> contentChecks)
            throws IOException, StartupException {
        String hostname = config.get(ServerSettings.HOSTNAME);
        Path dataDir = config.path(ServerSettings.DATA_DIR);
        SqliteStore store = SqliteStore.open(dataDir, StoreSettings.defaults(), clock);
        List<AutoCloseable> opened = new ArrayList<>();
        opened.add(store);
        try {
            TlsContext tls = TlsContext.fromConfig(config, console);
            opened.add(tls);
            tls.startReloading(config.get(TlsSettings.RELOAD_INTERVAL));
            tls.reloadOnHangup();
            AuditLog audit = AuditLog.toChainedFile(config.path(ServerSettings.AUDIT_FILE), dataDir,
                    AuditSettings.options(config), clock);
            opened.add(audit);
            Set<Domain> relayDomains = config.get(ServerSettings.RELAY_DOMAINS).stream().map(Domain::of)
                    .collect(Collectors.toSet());
            List<IpPrefix> trusted = config.get(ServerSettings.TRUSTED_NETWORKS).stream().map(IpPrefix::parse).toList();
            // One gate and one throttle for every listener (SMTP now, IMAP and POP3 the same way).
            ConnectionGate gate = new ConnectionGate(LimitSettings.gate(config), clock);
            AuthThrottle throttle = new AuthThrottle(LimitSettings.auth(config), clock, l -> audit.event(Event.AUTH_LOCKOUT,
                    lockoutFields(l)));
            Policy perimeter = Perimeter.build(config, dns, clock,
                    d -> d.ascii().equalsIgnoreCase(hostname) || store.isLocalDomain(d), Perimeter.greylistStore(config, store),
                    Optional.of(new StoreUserLists(store, store)));
            List<String> keyProblems = new ArrayList<>();
            MailAuth mailAuth = MailAuth.build(config, dns, clock, store, keyProblems);
            keyProblems.forEach(p -> console.accept("dkim: cannot use key " + p));
            if (!moat.store.password.Argon2id.engine().equals("libsodium"))
                console.accept("passwords: libsodium not found, Argon2id runs in Java (about 3x slower per login;"
                        + " apt-get install libsodium23)");
            StorageQuota quota = new StorageQuota(store, store.mailboxes(), config.get(ImapSettings.DEFAULT_QUOTA));
            DeliveryHandler handler = new DeliveryHandler(hostname, store, store, new RelayPolicy(relayDomains, trusted,
                    RelayPolicy.recipientKeys(config.get(ServerSettings.RELAY_RECIPIENTS))),
                    audit, clock, throttle, perimeter, mailAuth, quota::full, ContentStage.build(config, contentChecks, audit));
            List<SmtpListener> listeners = new ArrayList<>();
            Map<Listener, Integer> ports = new EnumMap<>(Listener.class);
            for (Listener role : Listener.values()) {
                int port = ServerSettings.effectivePort(config, portSetting(role));
                for (String bind : config.get(ServerSettings.BIND_ADDRESSES)) {
                    SmtpListener l = bindListener(InetAddress.getByName(bind), port, role, hostname, config, handler, tls, audit,
                            listenerLimits(config, role, gate, audit));
                    listeners.add(l);
                    opened.add(l);
                    ports.putIfAbsent(role, l.port());
                }
            }
            Pop3Service pop3;
            try {
                pop3 = Pop3Service.start(config, hostname, store, store, new ThrottledLogins(throttle).pop3(),
                        tls::wrapServerSide, otherListenerLimits(config, gate, audit), audit);
            } catch (BindException e) {
                throw new StartupException(e.getMessage(), e);
            }
            opened.add(pop3);
            List<ImapListener> imap = startImap(config, hostname, store, tls, audit, clock, gate, throttle, quota, opened);
            MoatServer server = new MoatServer(store, tls, audit, listeners, ports, pop3, gate, throttle, imap);
            // Outbound delivery starts after the listeners (docs/adr/0011-outbound-delivery.md).
            server.queueRunner = new moat.server.delivery.QueueRunner(moat.server.delivery.DeliverySettings.of(config),
                    moat.server.delivery.DeliverySettings.smartHost(config), store.outboundQueue(), store, dns, audit, clock,
                    hostname, new java.util.Random(), new moat.server.delivery.ArcForwarder(mailAuth.signingKeys(), hostname,
                            new moat.auth.arc.ArcVerifier(dns, clock), clock));
            opened.add(server.queueRunner);
            server.queueRunner.start();
            return server;
        } catch (IOException | StartupException | RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) closeQuietly(opened.get(i));
            throw e;
        }
    }

    private static SmtpListener bindListener(InetAddress bind, int port, Listener role, String hostname, Config config,
                                             DeliveryHandler handler, TlsContext tls, AuditLog audit,
                                             ListenerLimits guard)
            throws IOException, StartupException {
        try {
            return SmtpListener.start(bind, port, role, hostname, SmtpSettings.limits(config), handler,
                    tls::wrapServerSide, e -> audit.internal(Event.SERVER_ERROR, e), guard);
        } catch (BindException e) {
            throw new StartupException(bindAdvice(bind, port, role, e), e);
        }
    }

    /** IMAP on 143 (STARTTLS) then 993 (implicit TLS), per bind address; index 0/1 of each pair. */
    private static List<ImapListener> startImap(Config config, String hostname, SqliteStore store, TlsContext tls,
                                                AuditLog audit, Clock clock, ConnectionGate gate,
                                                AuthThrottle throttle, StorageQuota quota, List<AutoCloseable> opened)
            throws IOException, StartupException {
        StoreBackend backend = new StoreBackend(store, store.mailboxes(), new ThrottledLogins(throttle).imap(), clock,
                config.get(ImapSettings.MAX_CONNECTIONS_PER_USER), quota, audit);
        List<ImapListener> out = new ArrayList<>();
        for (boolean implicit : new boolean[] {false, true}) {
            int port = ServerSettings.effectivePort(config, implicit ? ImapSettings.IMAPS_PORT : ImapSettings.IMAP_PORT);
            for (String bind : config.get(ServerSettings.BIND_ADDRESSES)) {
                InetAddress addr = InetAddress.getByName(bind);
                try {
                    ImapListener l = ImapListener.start(addr, port, implicit, hostname, ImapSettings.limits(config),
                            backend, tls::wrapServerSide, otherListenerLimits(config, gate, audit),
                            e -> audit.internal(Event.SERVER_ERROR, e));
                    out.add(l);
                    opened.add(l);
                } catch (BindException e) {
                    throw new StartupException(bindAdvice(addr, port, implicit ? "imaps" : "imap", e), e);
                }
            }
        }
        return out;
    }

    /** The bound IMAP port (STARTTLS) or IMAPS port (implicit TLS) of the first bind address. */
    public int imapPort(boolean implicitTls) {
        return imapListeners.stream().filter(l -> l.implicitTls() == implicitTls).findFirst().orElseThrow().port();
    }

    /** Plain words for the two usual bind failures. */
    static String bindAdvice(InetAddress bind, int port, Listener role, BindException e) {
        return bindAdvice(bind, port, role.name().toLowerCase(java.util.Locale.ROOT), e);
    }

    static String bindAdvice(InetAddress bind, int port, String role, BindException e) {
        String where = bind.getHostAddress() + ":" + port + " (" + role + ")";
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("ermission") || port < 1024) {
            return "cannot listen on " + where + ": ports below 1024 need privileges. Either\n"
                    + "  - let Java bind them:  sudo setcap 'cap_net_bind_service=+ep' \"$(readlink -f \"$(command -v java)\")\"\n"
                    + "  - or run on high ports: set server.port_offset = 10000 in moat.toml (25 -> 10025, 587 -> 10587,\n"
                    + "    465 -> 10465) and forward the real ports with your firewall (see README, \"Ports below 1024\").";
        }
        return "cannot listen on " + where + ": " + msg + " (is another mail server running? see listener.* in moat.toml)";
    }

    /** The banner delay is for port 25; port 465 greets inside TLS, where the client speaks first. */
    /** IMAP and POP3: the same gate and refusal log as SMTP; no banner delay (users, not MTAs). */
    private static ListenerLimits otherListenerLimits(Config config, ConnectionGate gate, AuditLog audit) {
        return limits(config, java.time.Duration.ZERO, gate, audit);
    }

    private static ListenerLimits listenerLimits(Config config, Listener role, ConnectionGate gate, AuditLog audit) {
        java.time.Duration delay = switch (role) {
            case MX -> config.get(LimitSettings.BANNER_DELAY);
            case SUBMISSION -> config.get(LimitSettings.SUBMISSION_BANNER_DELAY);
            case SUBMISSIONS -> java.time.Duration.ZERO;
        };
        return limits(config, delay, gate, audit);
    }

    private static ListenerLimits limits(Config config, java.time.Duration delay, ConnectionGate gate, AuditLog audit) {
        return new ListenerLimits(gate, delay, LimitSettings.dataRate(config), (listener, client, reason) ->
                audit.event(Event.CONNECTION_REFUSED, Map.of(
                        "listener", listener.toLowerCase(java.util.Locale.ROOT),
                        "client_ip", client.getAddress().getHostAddress(),
                        "client_port", client.getPort(),
                        "code", Reply.of(reason).code(),
                        "reason", reason.id())));
    }

    private static Map<String, Object> lockoutFields(AuthThrottle.Lockout l) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("scope", l.scope().name().toLowerCase(java.util.Locale.ROOT));
        m.put("ip", l.network().toString());
        l.account().ifPresent(a -> m.put("account", a));
        m.put("until", l.until().toString());
        m.put("reason", Reason.AUTH_LOCKED.id());
        return m;
    }

    private static Setting<Integer> portSetting(Listener role) {
        return switch (role) {
            case MX -> ServerSettings.SMTP_PORT;
            case SUBMISSION -> ServerSettings.SUBMISSION_PORT;
            case SUBMISSIONS -> ServerSettings.SUBMISSIONS_PORT;
        };
    }

    /** The bound port of a listener role (the first bind address). */
    public int port(Listener role) {
        return ports.get(role);
    }

    /** The POP3 listeners (ports for tests and the start-up message). */
    public Pop3Service pop3() {
        return pop3;
    }

    /** The connection gate shared by all listeners (IMAP and POP3 call {@code tryAdmit} too). */
    public ConnectionGate gate() {
        return gate;
    }

    /** The login throttle shared by all listeners. */
    public AuthThrottle authThrottle() {
        return authThrottle;
    }

    public SqliteStore store() {
        return store;
    }

    public TlsContext tls() {
        return tls;
    }

    /** The outbound queue runner ({@code runOnce} for tests and admin "run now"). */
    public moat.server.delivery.QueueRunner queueRunner() {
        return queueRunner;
    }

    @Override
    public void close() {
        if (queueRunner != null) closeQuietly(queueRunner);
        for (SmtpListener l : listeners) closeQuietly(l);
        closeQuietly(pop3);
        for (ImapListener l : imapListeners) closeQuietly(l);
        closeQuietly(tls);
        closeQuietly(store);
        closeQuietly(audit);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // shutting down: nothing useful to do with a close failure
        }
    }
}
