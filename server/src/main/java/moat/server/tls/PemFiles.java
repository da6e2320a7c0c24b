package moat.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM certificate chains and private keys (RFC 7468 textual encodings) as written by
 * certbot, acme.sh and openssl. Keys are converted with the JDK's own providers: Bouncy Castle
 * only parses, it is not registered as a security provider.
 */
public final class PemFiles {
    /** A certificate chain (leaf first) and the private key of the leaf. */
    public record KeyMaterial(List<X509Certificate> chain, PrivateKey key) {
        public KeyMaterial {
            chain = List.copyOf(chain);
        }

        public X509Certificate leaf() {
            return chain.getFirst();
        }
    }

    private PemFiles() {}

    /** Reads both files and checks that the key belongs to the leaf certificate. */
    public static KeyMaterial read(Path certFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = readChain(certFile);
        PrivateKey key = readKey(keyFile);
        if (!matches(key, chain.getFirst().getPublicKey()))
            throw new IOException("private key " + keyFile + " does not belong to the first certificate in "
                    + certFile + " (check that tls.certificate and tls.private_key are a pair)");
        return new KeyMaterial(chain, key);
    }

    /** Every CERTIFICATE block in file order: the leaf, then the intermediates (a "fullchain.pem"). */
    public static List<X509Certificate> readChain(Path file) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = parser(file)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder h) chain.add(converter.getCertificate(h));
                else throw new IOException(file + ": expected only CERTIFICATE blocks, found " + describe(o));
            }
        } catch (GeneralSecurityException | PEMException | RuntimeException e) {
            throw new IOException(file + ": unreadable certificate: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) throw new IOException(file + ": no PEM CERTIFICATE block found");
        return List.copyOf(chain);
    }

    /**
     * The single private key in the file: "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY" (PKCS#1) or
     * "EC PRIVATE KEY" (SEC1, optionally after an "EC PARAMETERS" block). Encrypted keys are
     * refused: a server that restarts unattended has nowhere to get the passphrase from.
     */
    public static PrivateKey readKey(Path file) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey key = null;
        ASN1ObjectIdentifier curve = null;
        try (PEMParser parser = parser(file)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                PrivateKey found = switch (o) {
                    case PrivateKeyInfo info -> converter.getPrivateKey(info);
                    // The private half only: SEC1 files may omit the optional public key.
                    case PEMKeyPair pair -> converter.getPrivateKey(withCurve(pair.getPrivateKeyInfo(), curve));
                    case ASN1ObjectIdentifier c -> {
                        curve = c; // "EC PARAMETERS" (openssl ecparam -genkey): names the curve of what follows
                        yield null;
                    }
                    case PEMEncryptedKeyPair e -> throw new IOException(file + ": encrypted keys are not supported");
                    case PKCS8EncryptedPrivateKeyInfo e ->
                            throw new IOException(file + ": encrypted keys are not supported");
                    default -> throw new IOException(file + ": expected a private key, found " + describe(o));
                };
                if (found == null) continue;
                if (key != null) throw new IOException(file + ": more than one private key");
                key = found;
            }
        } catch (PEMException | RuntimeException e) {
            throw new IOException(file + ": unreadable private key: " + e.getMessage(), e);
        }
        if (key == null) throw new IOException(file + ": no PEM private key block found");
        return key;
    }

    /** A SEC1 key that leaves its curve to a preceding "EC PARAMETERS" block gets it from there. */
    private static PrivateKeyInfo withCurve(PrivateKeyInfo info, ASN1ObjectIdentifier curve) throws IOException {
        AlgorithmIdentifier alg = info.getPrivateKeyAlgorithm();
        if (curve == null || !alg.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey) || alg.getParameters() != null)
            return info;
        return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), info.parsePrivateKey());
    }

    private static PEMParser parser(Path file) throws IOException {
        try {
            Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
            return new PEMParser(r);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        }
    }

    private static String describe(Object o) {
        return o.getClass().getSimpleName();
    }

    /**
     * Proves possession instead of comparing encodings: sign a random challenge with the private
     * key and verify it with the certificate's public key. Works for RSA, EC and EdDSA alike
     * (LIMITATION: RSASSA-PSS-only keys are refused).
     */
    static boolean matches(PrivateKey key, PublicKey pub) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            default -> null;
        };
        if (alg == null || !keyFamily(key.getAlgorithm()).equals(keyFamily(pub.getAlgorithm()))) return false;
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(alg);
            signer.initSign(key);
            signer.update(challenge);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(alg);
            verifier.initVerify(pub);
            verifier.update(challenge);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String keyFamily(String algorithm) {
        return algorithm.startsWith("Ed") ? "EdDSA" : algorithm;
    }
}
