package moat.server.limits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import moat.core.EmailAddress;

/**
 * The shared {@link AuthThrottle} behind the IMAP and POP3 login seams, so a password guesser
 * meets one budget whichever protocol it tries (SMTP AUTH uses the throttle directly). While
 * locked the password is not checked; back-off delays sleep on the connection's virtual thread.
 */
public final class ThrottledLogins {
    private final AuthThrottle throttle;

    public ThrottledLogins(AuthThrottle throttle) {
        this.throttle = throttle;
    }

    /** True when the password may be checked now (after any back-off). */
    boolean admit(InetAddress client, String username) {
        return switch (throttle.check(client, username)) {
            case AuthThrottle.Decision.Allow a -> true;
            case AuthThrottle.Decision.Delay d -> {
                sleep(d.delay());
                yield true;
            }
            case AuthThrottle.Decision.Locked l -> false;
        };
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public moat.server.pop3.LoginGate pop3() {
        return new moat.server.pop3.LoginGate() {
            @Override
            public boolean permits(InetAddress client, String username) {
                return admit(client, username);
            }

            @Override
            public void failed(InetAddress client, String username) {
                throttle.recordFailure(client, username);
            }

            @Override
            public void succeeded(InetAddress client, String username) {
                throttle.recordSuccess(client, username);
            }
        };
    }

    public moat.server.imap.LoginGate imap() {
        return new moat.server.imap.LoginGate() {
            @Override
            public Optional<String> check(InetSocketAddress client, String username) {
                // Same words whether the account exists or not, and no hint about the lockout's scope.
                return admit(client.getAddress(), username) ? Optional.empty()
                        : Optional.of("[UNAVAILABLE] Temporary authentication failure, try again later");
            }

            @Override
            public void failed(InetSocketAddress client, String username) {
                throttle.recordFailure(client.getAddress(), username);
            }

            @Override
            public void succeeded(InetSocketAddress client, EmailAddress user) {
                throttle.recordSuccess(client.getAddress(), user.toString());
            }
        };
    }
}
