package moat.delivery;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import moat.core.Audit;
import moat.core.Event;
import moat.core.dns.Resolver;
import moat.store.MailStore;
import moat.store.OutboundQueue;

/**
 * The one place where outbound delivery's parts are put together: trust anchors, the SMTP client
 * transport, MTA-STS, TLS-RPT, the connection cache, MX look-up, DSNs, and the
 * {@link QueueRunner} over them. The composition root calls it with what the server shares; the
 * parts themselves stay package-private.
 */
public final class DeliveryAssembly {
    private DeliveryAssembly() {}

    /**
     * What delivery takes from the server.
     *
     * @param smartHost  {@code delivery.relay_host}: every message goes there instead of the MX hosts
     * @param store      where DSNs and TLS-RPT reports are stored (as submitted mail)
     * @param hostname   the EHLO name, the DSN reporting MTA and the TLS-RPT organization by default
     * @param random     MX shuffling among equal preferences, retry jitter
     * @param arc        seals forwarded mail; its DKIM keys also sign TLS-RPT reports
     * @param pem        reads {@code delivery.tls_ca_file} (the server's PEM reader, as for its own certificates)
     */
    public record Needs(DeliverySettings.Values settings, Optional<DeliverySettings.SmartHost> smartHost,
                        OutboundQueue queue, MailStore store, Resolver dns, Audit audit, Clock clock,
                        String hostname, RandomGenerator random, ArcForwarder arc, PemCertificates pem) {}

    /** Every CERTIFICATE block of a PEM file, in file order; an unreadable or empty file is an IOException. */
    @FunctionalInterface
    public interface PemCertificates {
        java.util.List<java.security.cert.X509Certificate> read(java.nio.file.Path file) throws IOException;
    }

    /** A runner ready to {@link QueueRunner#start}; nothing runs until then but the idle watchdog thread. */
    public static QueueRunner queueRunner(Needs n) throws IOException {
        DeliverySettings.Values cfg = n.settings();
        Audit audit = n.audit();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("moat-delivery-watchdog").unstarted(r));
        try {
            PeerTrust.Anchors anchors = cfg.tlsCaFile().isPresent()
                    ? PeerTrust.Anchors.withPemFile(cfg.tlsCaFile().get(), n.pem(), n.clock())
                    : PeerTrust.Anchors.jdk(n.clock());
            SmtpTransport transport = new SmtpTransport(n.hostname(), cfg.timeouts(), cfg.lease().dividedBy(2), anchors,
                    watchdog);
            Optional<TlsRpt> tlsRpt = TlsRpt.of(cfg, n.dns(), n.clock(), n.store(), audit, n.hostname(), n.arc());
            Optional<MtaSts> mtaSts = cfg.mtaSts() && n.smartHost().isEmpty()
                    ? Optional.of(new MtaSts(n.dns(), n.clock(), cfg.mtaStsPort(), anchors, cfg.timeouts().connect(),
                            new MtaStsCache(cfg.mtaStsCache(), e -> audit.internal(Event.DELIVERY_MTA_STS_CACHE_FAILED, e)),
                            (d, type) -> tlsRpt.ifPresent(r -> r.policyFailure(d, type))))
                    : Optional.empty();
            ConnectionCache cache = new ConnectionCache(cfg.connectionCache(), watchdog);
            MessageSender sender = new MessageSender(cfg, n.smartHost(), n.queue(),
                    new MxResolver(n.dns(), n.random(), cfg.maxMxHosts()), transport, cache, audit, n.dns(), n.arc(),
                    mtaSts, tlsRpt);
            ResultRecorder recorder = new ResultRecorder(cfg, n.queue(),
                    new DsnSender(n.queue(), n.store(), audit, n.hostname()), audit, n.clock(), n.random());
            return new QueueRunner(new QueueRunner.Parts(cfg, n.queue(), audit, n.clock(), sender, recorder, cache, tlsRpt,
                    watchdog));
        } catch (IOException | RuntimeException e) {
            watchdog.shutdownNow();
            throw e;
        }
    }
}
