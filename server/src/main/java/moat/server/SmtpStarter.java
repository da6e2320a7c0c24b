package moat.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import moat.core.Domain;
import moat.core.IpPrefix;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.policy.Policy;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.MoatServer.StartupException;
import moat.server.config.ServerSettings;
import moat.server.content.ContentStage;
import moat.server.limits.LimitSettings;
import moat.server.policy.Perimeter;
import moat.server.policy.StoreUserLists;
import moat.server.postmaster.PostmasterDirectory;
import moat.server.postmaster.PostmasterSettings;
import moat.server.smtp.DeliveryHandler;
import moat.server.smtp.RelayPolicy;
import moat.server.smtp.SmtpListener;
import moat.server.smtp.SmtpSettings;
import moat.store.Store;

/**
 * SMTP on port 25 (MX), 587 (submission) and 465 (submissions): one {@link DeliveryHandler} (the
 * port-25 policy, mail authentication, content checks, the store) behind all three roles.
 */
final class SmtpStarter {
    private SmtpStarter() {}

    static Service start(Foundation f) throws IOException, StartupException {
        DeliveryHandler handler = handler(f);
        List<Listening.Port> ports = new ArrayList<>();
        for (Listener role : Listener.values()) {
            var limits = f.listenerLimits(bannerDelay(f, role));
            ports.add(new Listening.Port(portSetting(role), role.name().toLowerCase(Locale.ROOT),
                    (address, port) -> SmtpListener.start(address, port, role, f.hostname(),
                            SmtpSettings.limits(f.config()), handler, f.tls()::wrapServerSide, f.serverErrors(), limits)));
        }
        return Listening.bind(f, ports);
    }

    private static DeliveryHandler handler(Foundation f) throws IOException {
        var config = f.config();
        Store store = f.store();
        String hostname = f.hostname();
        Set<Domain> relayDomains = config.get(ServerSettings.RELAY_DOMAINS).stream().map(Domain::of)
                .collect(Collectors.toSet());
        List<IpPrefix> trusted = config.get(ServerSettings.TRUSTED_NETWORKS).stream().map(IpPrefix::parse).toList();
        RelayPolicy relay = new RelayPolicy(relayDomains, trusted,
                RelayPolicy.recipientKeys(config.get(ServerSettings.RELAY_RECIPIENTS)));
        // postmaster@ and abuse@ of every local domain answered at the recipient look-up (docs/adr/0024).
        PostmasterDirectory directory = new PostmasterDirectory(store, hostname,
                PostmasterDirectory.configured(config.get(PostmasterSettings.POSTMASTER)));
        Policy perimeter = Perimeter.build(config, f.dns(), f.clock(),
                d -> d.ascii().equalsIgnoreCase(hostname) || store.isLocalDomain(d),
                Perimeter.greylistStore(config, store.greylist()), Optional.of(new StoreUserLists(directory, store)));
        ContentStage content = ContentStage.build(config, f.contentChecks(), f.audit(), f.console());
        return new DeliveryHandler(hostname, directory, store, relay, f.audit(), f.clock(), f.throttle(), perimeter,
                f.mailAuth(), f.quota()::full, content);
    }

    /** The banner delay is for port 25 (and 587 if set); port 465 greets inside TLS, where the client speaks first. */
    private static Duration bannerDelay(Foundation f, Listener role) {
        return switch (role) {
            case MX -> f.config().get(LimitSettings.BANNER_DELAY);
            case SUBMISSION -> f.config().get(LimitSettings.SUBMISSION_BANNER_DELAY);
            case SUBMISSIONS -> Duration.ZERO;
        };
    }

    static Setting<ListenerPort> portSetting(Listener role) {
        return switch (role) {
            case MX -> ServerSettings.SMTP_PORT;
            case SUBMISSION -> ServerSettings.SUBMISSION_PORT;
            case SUBMISSIONS -> ServerSettings.SUBMISSIONS_PORT;
        };
    }
}
