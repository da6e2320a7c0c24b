package moat.server.tls;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for tests: a CA and a leaf it signs, and client contexts that trust given certs. */
final class TestCerts {
    private TestCerts() {}

    static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static X509Certificate sign(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, boolean ca)
            throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuer),
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        else b.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, subject)));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    static void write(Path file, Object... pemObjects) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Object o : pemObjects) sb.append(SelfSignedCertificate.pem(o));
        Files.writeString(file, sb);
    }

    /**
     * An "EC PRIVATE KEY" (SEC1, RFC 5915) as openssl writes it: curve named inside the key, or
     * only in a preceding "EC PARAMETERS" block.
     */
    static void writeSec1(Path file, KeyPair pair, boolean curveInKey, boolean parametersBlock) throws Exception {
        java.security.interfaces.ECPrivateKey k = (java.security.interfaces.ECPrivateKey) pair.getPrivate();
        var curve = org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1;
        var sec1 = curveInKey ? new org.bouncycastle.asn1.sec.ECPrivateKey(256, k.getS(), curve)
                : new org.bouncycastle.asn1.sec.ECPrivateKey(256, k.getS());
        java.io.StringWriter out = new java.io.StringWriter();
        try (var w = new org.bouncycastle.util.io.pem.PemWriter(out)) {
            if (parametersBlock) w.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PARAMETERS", curve.getEncoded()));
            w.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        Files.writeString(file, out.toString());
    }

    static SSLContext clientTrusting(X509Certificate... anchors) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < anchors.length; i++) ks.setCertificateEntry("ca" + i, anchors[i]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
