package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import moat.core.dns.StaticZone;
import moat.core.dns.Tlsa;
import moat.core.testing.MutableClock;
import moat.server.testing.TestServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DANE-TA (RFC 7672 section 3.1.2) with real Postfix peers on loopback: one presents a leaf and
 * the CA that signed it, the other the leaf alone. A validated {@code 2 1 1} record of the CA
 * authenticates the first when the leaf names the MX host; a wrong name or a missing trust
 * anchor defers the mail (DANE forbids plaintext and unauthenticated TLS).
 */
class DaneTaTest {
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    static final AtomicLong SERIAL = new AtomicLong(1);
    static PrivatePostfix withCa;
    static PrivatePostfix leafOnly;
    static int port;
    static KeyPair caKeys;
    static X509Certificate ca;
    static String caSpkiSha256;

    @TempDir
    static Path pki;

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(NOW);

    static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A certificate valid from {@code from} to {@code to}; a CA, or a leaf with DNS names. */
    static X509Certificate cert(String cn, KeyPair subject, KeyPair issuer, String issuerCn, Instant from, Instant to,
                                String... dnsNames) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuerCn),
                BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(from), Date.from(to), new X500Name("CN=" + cn),
                subject.getPublic());
        boolean isCa = dnsNames.length == 0;
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        } else {
            GeneralName[] names = new GeneralName[dnsNames.length];
            for (int i = 0; i < names.length; i++) names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static String spkiSha256(X509Certificate c) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded()));
    }

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.21"))) {
            port = probe.getLocalPort();
        }
        caKeys = keys();
        ca = cert("Moat DANE Test CA", caKeys, caKeys, "Moat DANE Test CA", NOW.minus(Duration.ofDays(10)),
                NOW.plus(Duration.ofDays(365)));
        caSpkiSha256 = spkiSha256(ca);
        KeyPair leafKeys = keys();
        X509Certificate leaf = cert("mx.ta.example", leafKeys, caKeys, "Moat DANE Test CA", NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(30)), "mx.ta.example", "*.pool.ta.example");
        Path key = Files.writeString(pki.resolve("leaf.key"), pem("PRIVATE KEY", leafKeys.getPrivate().getEncoded()));
        Path chain = Files.writeString(pki.resolve("chain.pem"), pem("CERTIFICATE", leaf.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()));
        Path single = Files.writeString(pki.resolve("leaf.pem"), pem("CERTIFICATE", leaf.getEncoded()));
        withCa = PrivatePostfix.start("127.0.0.21", port, "ta.example", chain, key);
        leafOnly = PrivatePostfix.start("127.0.0.22", port, "ta.example", single, key);
        OutboundDeliveryTest.awaitPortOf("127.0.0.21", port, withCa);
        OutboundDeliveryTest.awaitPortOf("127.0.0.22", port, leafOnly);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (withCa != null) withCa.close();
        } finally {
            if (leafOnly != null) leafOnly.close();
        }
    }

    /** ta.example's MX is {@code mxName} at {@code ip}, with a validated {@code 2 1 1} record of the CA. */
    StaticZone zone(String mxName, String ip) {
        return StaticZone.builder().mx("ta.example", 10, mxName).a(mxName, ip)
                .tlsa("_" + port + "._tcp." + mxName, 2, 1, 1, caSpkiSha256).dnssecAuthenticated(true).build();
    }

    TestServer start(StaticZone z, String name) throws Exception {
        return DaneTest.start(dir.resolve(name), z, clock, port);
    }

    void enqueue(TestServer s, String subject) throws Exception {
        DaneTest.enqueue(s, subject, "zoe@ta.example", clock.instant());
    }

    @Test
    void aTrustAnchorRecordOfThePresentedCaAuthenticatesTheMx() throws Exception {
        try (TestServer s = start(zone("mx.ta.example", "127.0.0.21"), "ta")) {
            int before = withCa.delivered().size();
            enqueue(s, "dane-ta match");
            s.server().queueRunner().runOnce();
            assertThat(withCa.awaitDelivered(before + 1).stream().filter(m -> m.contains("Subject: dane-ta match"))).hasSize(1);
            assertThat(String.join("\n", s.auditLines())).contains("\"requirement\":\"authenticate\"")
                    .contains("\"tls_verified\":true");
            assertThat(s.store().outboundQueue().list()).isEmpty();
        }
    }

    @Test
    void aLeafThatDoesNotNameTheMxHostIsNotAuthenticatedAndTheMailIsDeferred() throws Exception {
        try (TestServer s = start(zone("mx2.ta.example", "127.0.0.21"), "wrong-name")) {
            enqueue(s, "dane-ta wrong name");
            s.server().queueRunner().runOnce();
            assertThat(s.store().outboundQueue().list()).singleElement()
                    .satisfies(e -> assertThat(e.lastReply()).startsWith("451 4.4.1").contains("does not name mx2.ta.example"));
            assertThat(String.join("\n", s.auditLines())).doesNotContain("retrying without TLS")
                    .doesNotContain("\"tls_verified\":true");
        }
        assertThat(withCa.delivered()).noneMatch(m -> m.contains("Subject: dane-ta wrong name"));
    }

    @Test
    void aChainWithoutTheTrustAnchorIsNotAuthenticatedAndTheMailIsDeferred() throws Exception {
        try (TestServer s = start(zone("mx.ta.example", "127.0.0.22"), "no-ta")) {
            enqueue(s, "dane-ta no anchor");
            s.server().queueRunner().runOnce();
            assertThat(s.store().outboundQueue().list()).singleElement()
                    .satisfies(e -> assertThat(e.lastReply()).startsWith("451 4.4.1").contains("matches no DANE TLSA record"));
        }
        assertThat(leafOnly.delivered()).noneMatch(m -> m.contains("Subject: dane-ta no anchor"));
    }

    @Test
    void pathValidationChecksDatesSignaturesAndNamesWithWildcardRules() throws Exception {
        List<Tlsa> ta = List.of(new Tlsa(2, 1, 1, caSpkiSha256));
        KeyPair k = keys();
        X509Certificate leaf = cert("mx.ta.example", k, caKeys, "Moat DANE Test CA", NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(30)), "mx.ta.example", "*.pool.ta.example", "*.com");
        X509Certificate[] chain = {leaf, ca};
        assertThat(Dane.verify(chain, ta, "mx.ta.example", NOW)).isInstanceOf(Dane.Outcome.Authenticated.class);
        assertThat(Dane.verify(chain, ta, "MX.TA.EXAMPLE.", NOW)).as("case and trailing dot").isInstanceOf(Dane.Outcome.Authenticated.class);
        assertThat(Dane.verify(chain, ta, "a.pool.ta.example", NOW)).isInstanceOf(Dane.Outcome.Authenticated.class);
        assertThat(failure(chain, ta, "a.b.pool.ta.example", NOW)).as("a wildcard is one label").isEqualTo(Dane.Failure.HOST_MISMATCH);
        assertThat(failure(chain, ta, "pool.ta.example", NOW)).isEqualTo(Dane.Failure.HOST_MISMATCH);
        assertThat(failure(chain, ta, "example.com", NOW)).as("no single-label wildcard").isEqualTo(Dane.Failure.HOST_MISMATCH);
        assertThat(failure(chain, ta, "mx.ta.example", NOW.plus(Duration.ofDays(31)))).isEqualTo(Dane.Failure.EXPIRED);
        assertThat(failure(chain, ta, "mx.ta.example", NOW.minus(Duration.ofDays(2)))).isEqualTo(Dane.Failure.EXPIRED);
        // signed by another key under the same CA name: the signature check fails
        KeyPair other = keys();
        X509Certificate forged = cert("mx.ta.example", k, other, "Moat DANE Test CA", NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(30)), "mx.ta.example");
        assertThat(failure(new X509Certificate[] {forged, ca}, ta, "mx.ta.example", NOW)).isEqualTo(Dane.Failure.CHAIN_INVALID);
        // a leaf used as issuer (no CA basic constraint) does not validate
        X509Certificate underLeaf = cert("x.ta.example", keys(), k, "mx.ta.example", NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(30)), "x.ta.example");
        assertThat(failure(new X509Certificate[] {underLeaf, leaf, ca}, ta, "x.ta.example", NOW)).isEqualTo(Dane.Failure.CHAIN_INVALID);
        // DANE-EE ignores names and dates (RFC 7672 section 3.1.1)
        List<Tlsa> ee = List.of(new Tlsa(3, 1, 1, spkiSha256(leaf)));
        assertThat(Dane.verify(chain, ee, "elsewhere.example", NOW.plus(Duration.ofDays(400)))).isInstanceOf(Dane.Outcome.Authenticated.class);
        assertThat(failure(new X509Certificate[] {leaf}, ta, "mx.ta.example", NOW)).isEqualTo(Dane.Failure.NO_MATCH);
        assertThat(Dane.usable(new Tlsa(2, 0, 2, "00"))).isTrue();
        assertThat(Dane.usable(new Tlsa(1, 1, 1, "00"))).as("PKIX-EE is unusable for SMTP").isFalse();
    }

    static Dane.Failure failure(X509Certificate[] chain, List<Tlsa> records, String host, Instant at) {
        return switch (Dane.verify(chain, records, host, at)) {
            case Dane.Outcome.Refused r -> r.failure();
            case Dane.Outcome.Authenticated a -> null;
        };
    }
}
