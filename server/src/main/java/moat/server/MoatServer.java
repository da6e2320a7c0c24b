package moat.server;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.core.dns.Resolver;
import moat.delivery.QueueRunner;
import moat.policy.Policy;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.config.Config;
import moat.server.imap.ImapSettings;
import moat.server.limits.AuthThrottle;
import moat.server.limits.ConnectionGate;
import moat.server.policy.DnsSettings;
import moat.server.pop3.Pop3Settings;
import moat.server.tls.TlsContext;
import moat.store.Store;

/**
 * The composition root: opens what every service shares ({@link Foundation}: store, TLS, audit
 * log, limits), then starts one service after the other (SMTP, POP3, IMAP, outbound delivery),
 * each by its own starter. All wiring is plain {@code new} in these classes; there is no container.
 */
public final class MoatServer implements AutoCloseable {
    private final Foundation foundation;
    private final Service smtp;
    private final Service pop3;
    private final Service imap;
    private final DeliveryStarter.Delivery delivery;

    private MoatServer(Foundation foundation, Service smtp, Service pop3, Service imap, DeliveryStarter.Delivery delivery) {
        this.foundation = foundation;
        this.smtp = smtp;
        this.pop3 = pop3;
        this.imap = imap;
        this.delivery = delivery;
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
        Foundation f = Foundation.open(config, clock, console, dns, contentChecks);
        List<Service> started = new ArrayList<>();
        try {
            Service smtp = started(started, SmtpStarter.start(f));
            Service pop3 = started(started, Pop3Starter.start(f));
            Service imap = started(started, ImapStarter.start(f));
            // Outbound delivery starts after the listeners (docs/adr/0011-outbound-delivery.md).
            DeliveryStarter.Delivery delivery = started(started, DeliveryStarter.start(f));
            return new MoatServer(f, smtp, pop3, imap, delivery);
        } catch (IOException | StartupException | RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) started.get(i).close();
            f.close();
            throw e;
        }
    }

    private static <S extends Service> S started(List<Service> started, S service) {
        started.add(service);
        return service;
    }

    /** The bound port of each listener, by its setting (first bind address): SMTP, IMAP, then POP3. */
    public Map<Setting<ListenerPort>, Integer> ports() {
        Map<Setting<ListenerPort>, Integer> all = new LinkedHashMap<>(smtp.ports());
        all.putAll(imap.ports());
        all.putAll(pop3.ports());
        return all;
    }

    /** The bound port of a listener role (the first bind address). */
    public int port(Listener role) {
        return bound(smtp, SmtpStarter.portSetting(role));
    }

    /** The bound IMAP port (STARTTLS) or IMAPS port (implicit TLS) of the first bind address. */
    public int imapPort(boolean implicitTls) {
        return bound(imap, implicitTls ? ImapSettings.IMAPS_PORT : ImapSettings.IMAP_PORT);
    }

    /** The bound POP3 ports of the first bind address. */
    public static final class Pop3Ports {
        private final Service pop3;

        private Pop3Ports(Service pop3) {
            this.pop3 = pop3;
        }

        /** The STLS port; refused, naming the setting, when listener.pop3_port is off. */
        public int port() {
            return bound(pop3, Pop3Settings.POP3_PORT);
        }

        /** The implicit-TLS port; refused when listener.pop3s_port is off. */
        public int tlsPort() {
            return bound(pop3, Pop3Settings.POP3S_PORT);
        }
    }

    /** A listener's bound port; refused, naming its setting, when that listener is "off". */
    private static int bound(Service service, Setting<ListenerPort> setting) {
        Integer port = service.ports().get(setting);
        if (port == null) throw new IllegalStateException(setting.key() + " is off");
        return port;
    }

    /** The POP3 ports (STLS and implicit TLS), for tests and the start-up message. */
    public Pop3Ports pop3() {
        return new Pop3Ports(pop3);
    }

    /** The connection gate shared by all listeners. */
    public ConnectionGate gate() {
        return foundation.gate();
    }

    /** The login throttle shared by all listeners. */
    public AuthThrottle authThrottle() {
        return foundation.throttle();
    }

    public Store store() {
        return foundation.store();
    }

    public TlsContext tls() {
        return foundation.tls();
    }

    /** The outbound queue runner ({@code runOnce} for tests and admin "run now"). */
    public QueueRunner queueRunner() {
        return delivery.runner();
    }

    /** Delivery first (nothing new goes out), then the listeners, then what they shared. */
    @Override
    public void close() {
        delivery.close();
        smtp.close();
        pop3.close();
        imap.close();
        foundation.close();
    }
}
