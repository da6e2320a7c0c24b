package moat.server;

import java.io.IOException;
import java.util.Map;
import java.util.Random;
import moat.auth.arc.ArcVerifier;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.delivery.ArcForwarder;
import moat.delivery.DeliveryAssembly;
import moat.delivery.DeliverySettings;
import moat.delivery.QueueRunner;
import moat.server.tls.PemFiles;

/**
 * Outbound delivery: the queue runner over the store's outbound queue. Started after the
 * listeners (docs/adr/0011-outbound-delivery.md); it re-queues what a crash left in flight even
 * when {@code delivery.enabled} is off.
 */
final class DeliveryStarter {
    private DeliveryStarter() {}

    /** The running queue runner ({@code runOnce} for tests and an admin's "run now"). */
    record Delivery(QueueRunner runner) implements Service {
        @Override
        public Map<Setting<ListenerPort>, Integer> ports() {
            return Map.of();
        }

        @Override
        public void close() {
            runner.close();
        }
    }

    static Delivery start(Foundation f) throws IOException {
        ArcForwarder arc = new ArcForwarder(f.mailAuth().signingKeys(), f.hostname(), new ArcVerifier(f.dns(), f.clock()),
                f.clock());
        QueueRunner runner = DeliveryAssembly.queueRunner(new DeliveryAssembly.Needs(
                DeliverySettings.of(f.config()), DeliverySettings.smartHost(f.config()), f.store().outboundQueue(),
                f.store(), f.dns(), f.audit(), f.clock(), f.hostname(), new Random(), arc, PemFiles::readChain));
        try {
            runner.start();
        } catch (IOException | RuntimeException e) {
            runner.close();
            throw e;
        }
        return new Delivery(runner);
    }
}
