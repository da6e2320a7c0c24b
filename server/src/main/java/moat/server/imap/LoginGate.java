package moat.server.imap;

import java.net.InetSocketAddress;
import java.util.Optional;
import moat.core.EmailAddress;

/**
 * The seam for authentication-failure limits (per IP and per account, with back-off), shared by
 * the protocols: the IMAP backend asks {@link #check} before verifying a password and reports
 * every outcome. The perimeter implementation plugs in at {@code MoatServer}; until then
 * {@link #ALLOW_ALL} (checks nothing, records nothing) is wired.
 */
public interface LoginGate {
    /** Empty allows the attempt; a value refuses it with that (user-visible, non-revealing) text. */
    Optional<String> check(InetSocketAddress client, String username);

    void failed(InetSocketAddress client, String username);

    void succeeded(InetSocketAddress client, EmailAddress user);

    LoginGate ALLOW_ALL = new LoginGate() {
        @Override
        public Optional<String> check(InetSocketAddress client, String username) {
            return Optional.empty();
        }

        @Override
        public void failed(InetSocketAddress client, String username) { }

        @Override
        public void succeeded(InetSocketAddress client, EmailAddress user) { }
    };
}
