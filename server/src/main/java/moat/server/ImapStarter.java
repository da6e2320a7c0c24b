package moat.server;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import moat.server.MoatServer.StartupException;
import moat.server.imap.ImapListener;
import moat.server.imap.ImapSettings;
import moat.server.imap.StoreBackend;
import moat.server.limits.ThrottledLogins;

/** IMAP on 143 (STARTTLS) and 993 (implicit TLS), one backend (and so one per-user session count) for both. */
final class ImapStarter {
    private ImapStarter() {}

    static Service start(Foundation f) throws IOException, StartupException {
        StoreBackend backend = new StoreBackend(f.store(), f.store().mailboxes(), new ThrottledLogins(f.throttle()),
                f.clock(), f.config().get(ImapSettings.MAX_CONNECTIONS_PER_USER), f.quota(), f.audit());
        // No banner delay: IMAP clients are users' programs, not MTAs that pregreet.
        var limits = f.listenerLimits(Duration.ZERO);
        var imapLimits = ImapSettings.limits(f.config());
        return Listening.bind(f, List.of(
                new Listening.Port(ImapSettings.IMAP_PORT, "imap", (address, port) -> ImapListener.start(address, port,
                        false, f.hostname(), imapLimits, backend, f.tls()::wrapServerSide, limits, f.serverErrors())),
                new Listening.Port(ImapSettings.IMAPS_PORT, "imaps", (address, port) -> ImapListener.start(address, port,
                        true, f.hostname(), imapLimits, backend, f.tls()::wrapServerSide, limits, f.serverErrors()))));
    }
}
