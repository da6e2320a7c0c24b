package moat.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextTest {
    @TempDir
    Path dir;

    private Path cert() {
        return dir.resolve("tls/cert.pem");
    }

    private Path key() {
        return dir.resolve("tls/key.pem");
    }

    private TlsContext selfSigned() throws IOException {
        return TlsContext.openOrCreate(cert(), key(), "mx.example.org", w -> { });
    }

    /** One TLS connection over loopback: the server side wrapped by {@code tls}, the client configured by the test. */
    private SSLSession handshake(TlsContext tls, SSLContext client, Consumer<SSLSocket> configure) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<SSLSocket> accepted = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket plain = server.accept()) {
                    plain.setSoTimeout(5000);
                    SSLSocket s = tls.wrapServerSide(plain);
                    accepted.complete(s);
                    s.startHandshake();
                    s.getInputStream().read(); // wait for the client to close
                } catch (IOException e) {
                    accepted.complete(null);
                }
            });
            try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket(server.getInetAddress(),
                    server.getLocalPort())) {
                c.setSoTimeout(5000);
                configure.accept(c);
                c.startHandshake();
                accepted.get(5, TimeUnit.SECONDS);
                return c.getSession();
            }
        }
    }

    private SSLContext trustingCurrent(TlsContext tls) throws Exception {
        return TestCerts.clientTrusting(tls.certificateChain().getLast());
    }

    @Test
    void tls13HandshakeWithTheGeneratedCertificate() throws Exception {
        try (TlsContext tls = selfSigned()) {
            SSLSession s = handshake(tls, trustingCurrent(tls), c -> { });
            assertThat(s.getProtocol()).isEqualTo("TLSv1.3");
            assertThat(s.getCipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
            X509Certificate peer = (X509Certificate) s.getPeerCertificates()[0];
            assertThat(peer.getSubjectAlternativeNames()).anySatisfy(n -> assertThat(n.get(1)).isEqualTo("mx.example.org"));
        }
    }

    @Test
    void tls12WithAnAeadSuiteWorks() throws Exception {
        try (TlsContext tls = selfSigned()) {
            SSLSession s = handshake(tls, trustingCurrent(tls), c -> c.setEnabledProtocols(new String[] {"TLSv1.2"}));
            assertThat(s.getProtocol()).isEqualTo("TLSv1.2");
            assertThat(s.getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        }
    }

    @Test
    void serverSocketsOfferOnlyTls13And12WithAeadSuites() throws Exception {
        try (TlsContext tls = selfSigned();
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
             Socket plain = server.accept()) {
            SSLSocket s = tls.wrapServerSide(plain);
            assertThat(s.getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
            assertThat(s.getSSLParameters().getUseCipherSuitesOrder()).isTrue();
            assertThat(s.getUseClientMode()).isFalse();
            assertThat(s.getEnabledCipherSuites()).isNotEmpty()
                    .allSatisfy(suite -> assertThat(suite).containsAnyOf("_GCM_", "CHACHA20").doesNotStartWith("TLS_RSA_"))
                    .startsWith("TLS_AES_128_GCM_SHA256");
        }
    }

    @Test
    void legacyProtocolsAreRefused() throws Exception {
        try (TlsContext tls = selfSigned()) {
            for (String legacy : List.of("TLSv1.1", "TLSv1")) {
                assertThatThrownBy(() -> handshake(tls, trustingCurrent(tls),
                        c -> c.setEnabledProtocols(new String[] {legacy}))).isInstanceOf(SSLException.class);
            }
        }
    }

    @Test
    void cbcAndRsaKeyExchangeSuitesAreRefused() throws Exception {
        try (TlsContext tls = selfSigned()) {
            for (String suite : List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
                    "TLS_RSA_WITH_AES_128_GCM_SHA256")) {
                assertThatThrownBy(() -> handshake(tls, trustingCurrent(tls), c -> {
                    c.setEnabledProtocols(new String[] {"TLSv1.2"});
                    c.setEnabledCipherSuites(new String[] {suite});
                })).as(suite).isInstanceOf(SSLException.class);
            }
        }
    }

    @Test
    void servesTheFullChainInFileOrder() throws Exception {
        KeyPair caKeys = TestCerts.ecKeyPair();
        KeyPair leafKeys = TestCerts.ecKeyPair();
        X509Certificate ca = TestCerts.sign("Test CA", caKeys, "Test CA", caKeys, true);
        X509Certificate leaf = TestCerts.sign("mx.example.org", leafKeys, "Test CA", caKeys, false);
        Files.createDirectories(cert().getParent());
        TestCerts.write(cert(), leaf, ca);
        TestCerts.write(key(), new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(leafKeys.getPrivate(), null).generate());
        assertThat(PemFiles.readChain(cert())).containsExactly(leaf, ca);
        try (TlsContext tls = TlsContext.open(cert(), key(), TlsSettings.SUPPORTED_PROTOCOLS)) {
            Certificate[] peer = handshake(tls, TestCerts.clientTrusting(ca), c -> { }).getPeerCertificates();
            assertThat(peer).containsExactly(leaf, ca);
        }
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsRejected() throws Exception {
        Path otherCert = dir.resolve("other/cert.pem");
        Path otherKey = dir.resolve("other/key.pem");
        SelfSignedCertificate.generate("mx.example.org", cert(), key());
        SelfSignedCertificate.generate("mx.example.org", otherCert, otherKey);
        assertThatThrownBy(() -> TlsContext.open(cert(), otherKey, TlsSettings.SUPPORTED_PROTOCOLS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(otherKey.toString()).hasMessageContaining("does not belong");
    }

    @Test
    void reloadServesTheNewCertificate() throws Exception {
        try (TlsContext tls = selfSigned()) {
            X509Certificate before = tls.certificateChain().getFirst();
            assertThat(tls.reloadIfChanged()).isFalse();
            X509Certificate renewed = SelfSignedCertificate.generate("mx.example.org", cert(), key());
            assertThat(tls.reloadIfChanged()).isTrue();
            assertThat(tls.certificateChain().getFirst()).isEqualTo(renewed).isNotEqualTo(before);
            Certificate[] peer = handshake(tls, TestCerts.clientTrusting(renewed), c -> { }).getPeerCertificates();
            assertThat(peer[0]).isEqualTo(renewed);
            assertThat(tls.reloadIfChanged()).isFalse();
        }
    }

    @Test
    void brokenNewFilesKeepTheOldContext() throws Exception {
        try (TlsContext tls = selfSigned()) {
            SSLContext before = tls.current();
            Files.writeString(cert(), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            assertThat(tls.reloadIfChanged()).isFalse();
            Files.delete(key());
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(tls.current()).isSameAs(before);
            assertThat(handshake(tls, trustingCurrent(tls), c -> { }).getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void backgroundReloaderPicksUpARenewal() throws Exception {
        try (TlsContext tls = selfSigned()) {
            tls.startReloading(Duration.ofMillis(50));
            X509Certificate renewed = SelfSignedCertificate.generate("mx.example.org", cert(), key());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!tls.certificateChain().getFirst().equals(renewed) && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(tls.certificateChain().getFirst()).isEqualTo(renewed);
        }
    }

    /** The certificate's names, read back from the file. */
    private List<String> namesInCertificate() throws Exception {
        List<String> names = new ArrayList<>();
        for (List<?> san : PemFiles.readChain(cert()).getFirst().getSubjectAlternativeNames()) names.add(String.valueOf(san.get(1)));
        return names;
    }

    @Test
    void theGeneratedCertificateFollowsANewHostNameButAnAdminsFilesAreKept() throws Exception {
        // The README's first hour: the first start names the bare machine name, then the admin sets server.hostname.
        Config first = Config.defaults().with(ServerSettings.DATA_DIR, dir).with(ServerSettings.HOSTNAME, "vm");
        List<String> warnings = new ArrayList<>();
        TlsContext.fromConfig(first, warnings::add).close();
        assertThat(namesInCertificate()).containsExactly("vm");

        warnings.clear();
        TlsContext.fromConfig(first.with(ServerSettings.HOSTNAME, "mail.example.org"), warnings::add).close();
        assertThat(namesInCertificate()).containsExactly("mail.example.org");
        assertThat(warnings).singleElement().asString().contains("named vm, not server.hostname mail.example.org",
                "replaced");
        warnings.clear();
        TlsContext.fromConfig(first.with(ServerSettings.HOSTNAME, "mail.example.org"), warnings::add).close();
        assertThat(warnings).isEmpty();

        // The same files named in tls.certificate / tls.private_key are the admin's: never replaced.
        Config named = first.with(ServerSettings.HOSTNAME, "mx2.example.org")
                .with(TlsSettings.CERTIFICATE, cert()).with(TlsSettings.PRIVATE_KEY, key());
        TlsContext.fromConfig(named, warnings::add).close();
        assertThat(namesInCertificate()).containsExactly("mail.example.org");
        assertThat(warnings).isEmpty();
    }

    @Test
    void firstStartGeneratesAPrivateSelfSignedPairAndWarnsLoudly() throws Exception {
        List<String> warnings = new ArrayList<>();
        try (TlsContext tls = TlsContext.openOrCreate(cert(), key(), "mx.example.org", warnings::add)) {
            assertThat(warnings).singleElement().asString()
                    .contains("SELF-SIGNED", "tls.certificate", "tls.private_key", "fullchain.pem", "privkey.pem");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key()))).isEqualTo("rw-------");
            assertThat(Files.readString(key())).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(tls.certificateChain().getFirst().getPublicKey().getAlgorithm()).isEqualTo("EC");
        }
        warnings.clear();
        TlsContext.openOrCreate(cert(), key(), "mx.example.org", warnings::add).close();
        assertThat(warnings).isEmpty();
    }

    @Test
    void oneFileWithoutTheOtherIsAnError() throws Exception {
        SelfSignedCertificate.generate("mx.example.org", cert(), key());
        Files.delete(key());
        assertThatThrownBy(() -> selfSigned()).isInstanceOf(IOException.class)
                .hasMessageContaining(key().toString()).hasMessageContaining("tls.private_key");
    }

    @Test
    void readsPkcs1RsaAndSec1EcKeys() throws Exception {
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaPair = rsa.generateKeyPair();
        KeyPair ecPair = TestCerts.ecKeyPair();
        Path rsaKey = dir.resolve("rsa.pem");
        Path ecKey = dir.resolve("ec.pem");
        TestCerts.write(rsaKey, rsaPair); // a KeyPair is written in the traditional (PKCS#1 / SEC1) form
        TestCerts.writeSec1(ecKey, ecPair, true, false);
        Path ecKeyAfterParameters = dir.resolve("ec2.pem");
        TestCerts.writeSec1(ecKeyAfterParameters, ecPair, false, true);
        assertThat(Files.readString(rsaKey)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(ecKey)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(Files.readString(ecKeyAfterParameters)).startsWith("-----BEGIN EC PARAMETERS-----");
        assertThat(PemFiles.matches(PemFiles.readKey(ecKeyAfterParameters), ecPair.getPublic())).isTrue();
        assertThat(PemFiles.readKey(rsaKey).getAlgorithm()).isEqualTo("RSA");
        assertThat(PemFiles.readKey(ecKey).getAlgorithm()).isEqualTo("EC");
        assertThat(PemFiles.matches(PemFiles.readKey(ecKey), ecPair.getPublic())).isTrue();
        assertThat(PemFiles.matches(PemFiles.readKey(ecKey), rsaPair.getPublic())).isFalse();
    }

    @Test
    void errorsNameTheFile() throws Exception {
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "nothing here\n");
        assertThatThrownBy(() -> PemFiles.readChain(empty)).hasMessageContaining(empty.toString())
                .hasMessageContaining("no PEM CERTIFICATE");
        assertThatThrownBy(() -> PemFiles.readKey(dir.resolve("missing.pem"))).hasMessageContaining("missing.pem: no such file");
        SelfSignedCertificate.generate("mx.example.org", cert(), key());
        assertThatThrownBy(() -> PemFiles.readKey(cert())).hasMessageContaining(cert().toString())
                .hasMessageContaining("expected a private key");
        assertThat(Arrays.asList(TlsContext.INTERMEDIATE_SUITES.toArray())).hasSize(9);
    }
}
