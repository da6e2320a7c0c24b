package moat.server.tls;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSocket;

/**
 * Wraps an accepted socket in server-side TLS (STARTTLS/STLS or implicit TLS), the same for SMTP,
 * IMAP and POP3; {@link TlsContext#wrapServerSide} is the one the server uses. A connection
 * calls it only after discarding what the client pipelined (CVE-2011-0411).
 */
@FunctionalInterface
public interface TlsWrapper {
    SSLSocket wrap(Socket plain) throws IOException;
}
