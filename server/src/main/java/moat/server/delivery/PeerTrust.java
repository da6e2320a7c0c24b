package moat.server.delivery;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Opportunistic TLS (RFC 7435): the peer's certificate is checked against the JDK's trust store
 * and the MX host name (endpoint identification set on the socket), the answer is recorded for
 * the audit log, and the handshake goes on either way: refusing an unverifiable certificate would
 * only push the message to plaintext. One instance per connection.
 */
final class PeerTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;
    private volatile boolean verified;
    private volatile String problem = "no certificate";

    PeerTrust() {
        this.pkix = defaultTrustManager();
    }

    boolean verified() {
        return verified;
    }

    String problem() {
        return verified ? "" : problem;
    }

    private static X509ExtendedTrustManager defaultTrustManager() {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init((KeyStore) null);
            for (TrustManager tm : f.getTrustManagers()) if (tm instanceof X509ExtendedTrustManager x) return x;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no default trust manager", e);
        }
        throw new IllegalStateException("no X509 trust manager in the JDK");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        try {
            pkix.checkServerTrusted(chain, authType, socket);
            verified = true;
        } catch (CertificateException | RuntimeException e) {
            problem = String.valueOf(e.getMessage());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        try {
            pkix.checkServerTrusted(chain, authType, engine);
            verified = true;
        } catch (CertificateException | RuntimeException e) {
            problem = String.valueOf(e.getMessage());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        try {
            pkix.checkServerTrusted(chain, authType);
            verified = true;
        } catch (CertificateException | RuntimeException e) {
            problem = String.valueOf(e.getMessage());
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
