package moat.server.limits;

import java.net.InetAddress;
import java.time.Duration;

/**
 * The shared {@link AuthThrottle} behind the IMAP and POP3 logins ({@link LoginGate}), so a
 * password guesser meets one budget whichever protocol it tries (SMTP AUTH uses the throttle
 * directly). While locked the password is not checked; back-off delays sleep on the connection's
 * virtual thread.
 */
public final class ThrottledLogins implements LoginGate {
    private final AuthThrottle throttle;

    public ThrottledLogins(AuthThrottle throttle) {
        this.throttle = throttle;
    }

    /** True when the password may be checked now (after any back-off). */
    @Override
    public boolean permits(InetAddress client, String username) {
        return switch (throttle.check(client, username)) {
            case AuthThrottle.Decision.Allow a -> true;
            case AuthThrottle.Decision.Delay d -> {
                sleep(d.delay());
                yield true;
            }
            case AuthThrottle.Decision.Locked l -> false;
        };
    }

    @Override
    public void failed(InetAddress client, String username) {
        throttle.recordFailure(client, username);
    }

    @Override
    public void succeeded(InetAddress client, String username) {
        throttle.recordSuccess(client, username);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
