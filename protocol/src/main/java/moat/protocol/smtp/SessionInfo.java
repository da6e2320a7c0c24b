package moat.protocol.smtp;

import java.net.InetSocketAddress;
import java.util.Optional;
import moat.core.EmailAddress;

/** A snapshot of who is talking to us, for handlers and the log. */
public record SessionInfo(String sessionId, Listener listener, InetSocketAddress client, Optional<String> helo,
                          Optional<TlsInfo> tls, Optional<EmailAddress> authUser) {

    /** The three SMTP listener roles. */
    public enum Listener {
        /** Port 25: mail for local domains from anyone; STARTTLS offered, AUTH not offered. */
        MX,
        /** Port 587: STARTTLS, then AUTH, required before MAIL (RFC 6409). */
        SUBMISSION,
        /** Port 465: implicit TLS, then AUTH required before MAIL (RFC 8314). */
        SUBMISSIONS;

        public boolean isSubmission() {
            return this != MX;
        }
    }

    public record TlsInfo(String protocol, String cipherSuite) {}
}
