package moat.delivery;

import java.net.Socket;
import java.security.KeyStore;
import java.time.Clock;
import java.util.Optional;
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
    record Anchors(List<X509ExtendedTrustManager> managers, Clock clock) {
        Anchors {
            managers = List.copyOf(managers);
        }

        /** The JDK's anchors; {@code clock} dates DANE-TA path validation (the JDK's PKIX uses the system time). */
        static Anchors jdk(Clock clock) {
            return new Anchors(List.of(manager(null)), clock);
        }

        /**
         * The JDK's anchors plus every certificate in a PEM file, read by {@code pem} (the server's
         * PEM reader, passed in so this module needs no PEM parser of its own).
         */
        static Anchors withPemFile(java.nio.file.Path file, DeliveryAssembly.PemCertificates pem, Clock clock)
                throws java.io.IOException {
            try {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                int i = 0;
                for (X509Certificate c : pem.read(file)) ks.setCertificateEntry("ca" + i++, c);
                return new Anchors(List.of(manager(null), manager(ks)), clock);
            } catch (java.security.GeneralSecurityException e) {
                throw new java.io.IOException("cannot use " + file + " as trust anchors: " + e.getMessage(), e);
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
    private final String host;
    private volatile boolean verified;
    private volatile String problem = "no certificate";
    private volatile Optional<Dane.Failure> daneFailure = Optional.empty();
    private volatile Throwable pkixError;

    PeerTrust(Anchors anchors) {
        this(anchors, List.of(), "");
    }

    /**
     * With usable DANE records for MX host {@code host} (RFC 7672 section 3.1): the chain must pass
     * {@link Dane#verify}; the JDK's PKIX anchors are not consulted.
     */
    PeerTrust(Anchors anchors, List<moat.core.dns.Tlsa> dane, String host) {
        this.anchors = anchors;
        this.dane = List.copyOf(dane);
        this.host = host;
    }

    /** The RFC 8460 section 4.3 result type of an unverified peer (meaningful when {@link #verified} is false). */
    TlsRpt.ResultType failureType() {
        if (daneFailure.isPresent()) return TlsRpt.ResultType.of(daneFailure.get());
        for (Throwable t = pkixError; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateExpiredException
                    || t instanceof java.security.cert.CertificateNotYetValidException)
                return TlsRpt.ResultType.CERTIFICATE_EXPIRED;
            if (t instanceof java.security.cert.CertPathValidatorException v
                    && (v.getReason() == java.security.cert.CertPathValidatorException.BasicReason.EXPIRED
                    || v.getReason() == java.security.cert.CertPathValidatorException.BasicReason.NOT_YET_VALID))
                return TlsRpt.ResultType.CERTIFICATE_EXPIRED;
            // The JDK's endpoint identification (sun.security.util.HostnameChecker) says so only in its text.
            String msg = String.valueOf(t.getMessage());
            if (msg.startsWith("No subject alternative DNS name matching") || msg.startsWith("No name matching"))
                return TlsRpt.ResultType.CERTIFICATE_HOST_MISMATCH;
        }
        return TlsRpt.ResultType.CERTIFICATE_NOT_TRUSTED;
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
                pkixError = e;
            }
        }
    }

    /** DANE instead of PKIX when there are records; true when it decided. */
    private boolean dane(X509Certificate[] chain) {
        if (dane.isEmpty()) return false;
        switch (Dane.verify(chain, dane, host, anchors.clock().instant())) {
            case Dane.Outcome.Authenticated a -> verified = true;
            case Dane.Outcome.Refused r -> {
                verified = false;
                problem = r.why();
                daneFailure = Optional.of(r.failure());
            }
        }
        return true;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        if (!dane(chain)) check(tm -> tm.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        if (!dane(chain)) check(tm -> tm.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        if (!dane(chain)) check(tm -> tm.checkServerTrusted(chain, authType));
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
