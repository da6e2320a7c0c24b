package moat.server;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import moat.server.MoatServer.StartupException;
import moat.server.limits.ThrottledLogins;
import moat.server.pop3.Pop3Backend;
import moat.server.pop3.Pop3Listener;
import moat.server.pop3.Pop3Settings;

/** POP3 on 110 (STLS) and 995 (implicit TLS), one backend (and so one set of maildrop locks) for both. */
final class Pop3Starter {
    private Pop3Starter() {}

    static Service start(Foundation f) throws IOException, StartupException {
        Pop3Backend backend = new Pop3Backend(f.store(), f.store(), new ThrottledLogins(f.throttle()), f.audit());
        // No banner delay: POP3 clients are users' programs, not MTAs that pregreet.
        var limits = f.listenerLimits(Duration.ZERO);
        var pop3Limits = Pop3Settings.limits(f.config());
        return Listening.bind(f, List.of(
                new Listening.Port(Pop3Settings.POP3_PORT, "pop3", (address, port) -> Pop3Listener.start(address, port,
                        false, f.hostname(), pop3Limits, backend, f.tls()::wrapServerSide, limits, f.serverErrors())),
                new Listening.Port(Pop3Settings.POP3S_PORT, "pop3s", (address, port) -> Pop3Listener.start(address, port,
                        true, f.hostname(), pop3Limits, backend, f.tls()::wrapServerSide, limits, f.serverErrors()))));
    }
}
