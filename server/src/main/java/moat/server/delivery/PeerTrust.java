package moat.server.delivery;

import java.net.Socket;
import java.security.KeyStore;
import java.util.List;
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
    /**
     * The certificate authorities outbound TLS trusts: the JDK's, plus those of
     * {@code delivery.tls_ca_file} (a private CA, a test CA). Immutable; shared by connections.
     */
    record Anchors(List<X509ExtendedTrustManager> managers) {
        Anchors {
            managers = List.copyOf(managers);
        }

        static Anchors jdk() {
            return new Anchors(List.of(manager(null)));
        }

        /** The JDK's anchors plus every certificate in a PEM file. */
        static Anchors withPemFile(java.nio.file.Path pem) throws java.io.IOException {
            try {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                int i = 0;
                for (X509Certificate c : moat.server.tls.PemFiles.readChain(pem)) ks.setCertificateEntry("ca" + i++, c);
                return new Anchors(List.of(manager(null), manager(ks)));
            } catch (java.security.GeneralSecurityException e) {
                throw new java.io.IOException("cannot use " + pem + " as trust anchors: " + e.getMessage(), e);
            }
        }

        private static X509ExtendedTrustManager manager(KeyStore ks) {
            try {
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init(ks);
                for (TrustManager tm : f.getTrustManagers()) if (tm instanceof X509ExtendedTrustManager x) return x;
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("no trust manager", e);
            }
            throw new IllegalStateException("no X509 trust manager in the JDK");
        }
    }

    private final Anchors anchors;
    private final List<moat.core.dns.Tlsa> dane;
    private volatile boolean verified;
    private volatile String problem = "no certificate";

    PeerTrust(Anchors anchors) {
        this(anchors, List.of());
    }

    /** With DANE-EE records (RFC 7672 section 3.1.1): the leaf must match one; PKIX is not consulted. */
    PeerTrust(Anchors anchors, List<moat.core.dns.Tlsa> dane) {
        this.anchors = anchors;
        this.dane = List.copyOf(dane);
    }

    boolean verified() {
        return verified;
    }

    String problem() {
        return verified ? "" : problem;
    }

    @FunctionalInterface
    private interface Check {
        void run(X509ExtendedTrustManager tm) throws CertificateException;
    }

    /** Verified when any anchor set accepts the chain (and the host name, set on the socket). */
    private void check(Check c) {
        for (X509ExtendedTrustManager tm : anchors.managers()) {
            try {
                c.run(tm);
                verified = true;
                return;
            } catch (CertificateException | RuntimeException e) {
                problem = String.valueOf(e.getMessage());
            }
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        if (!dane.isEmpty()) {
            verified = chain.length > 0 && Dane.matches(chain[0], dane);
            if (!verified) problem = "certificate matches no DANE TLSA record";
            return;
        }
        check(tm -> tm.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        check(tm -> tm.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        check(tm -> tm.checkServerTrusted(chain, authType));
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
