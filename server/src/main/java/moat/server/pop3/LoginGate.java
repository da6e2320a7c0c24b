package moat.server.pop3;

import java.net.InetAddress;

/**
 * The hook for throttling password logins across connections (per IP, per account, with
 * back-off). Every POP3 login asks {@link #permits} before the password is checked and reports
 * the outcome afterwards. The default {@link #ALLOW_ALL} keeps no state: the per-connection limit
 * ({@code pop3.max_auth_failures}) is then the only bound.
 *
 * <p>For the perimeter work: implement this once (shared with SMTP AUTH and IMAP LOGIN) and pass
 * it to {@link Pop3Service#start}; a refusal answers "-ERR [AUTH] Too many failed logins" without
 * checking the password. Implementations must be thread-safe and must not block for long
 * (they run on the connection's virtual thread).
 */
public interface LoginGate {
    /** False: refuse this attempt without checking the password. {@code username} is as sent. */
    boolean permits(InetAddress client, String username);

    void failed(InetAddress client, String username);

    void succeeded(InetAddress client, String username);

    LoginGate ALLOW_ALL = new LoginGate() {
        @Override
        public boolean permits(InetAddress client, String username) {
            return true;
        }

        @Override
        public void failed(InetAddress client, String username) {
            // no state kept
        }

        @Override
        public void succeeded(InetAddress client, String username) {
            // no state kept
        }
    };
}
