package moat.server.limits;

import java.net.InetAddress;

/**
 * What a protocol's login asks of the failed-login limits (per client network and per account,
 * with back-off): IMAP LOGIN/AUTHENTICATE and POP3 USER/PASS/AUTH ask {@link #permits} before
 * the password is checked and report the outcome afterwards; {@link ThrottledLogins} answers
 * over the one {@link AuthThrottle} SMTP AUTH uses too, so a guesser meets one budget whichever
 * protocol it tries. Implementations are thread-safe and run on the connection's virtual thread.
 */
public interface LoginGate {
    /**
     * False: refuse this attempt without checking the password. May sleep (back-off) first.
     * {@code username} is as the client sent it, existing or not.
     */
    boolean permits(InetAddress client, String username);

    void failed(InetAddress client, String username);

    /** {@code username}: as sent (POP3) or the authenticated address (IMAP). */
    void succeeded(InetAddress client, String username);
}
