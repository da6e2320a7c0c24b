package moat.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Key helpers for signing domains: generate a key pair, store the private key as PEM (PKCS#8,
 * RFC 5958 / RFC 7468 "PRIVATE KEY") and print the DNS TXT record that publishes the public key
 * (RFC 6376 section 3.6.1, RFC 8463 section 4.2). Only the JDK's providers are used.
 */
public final class DkimKeys {
    /** The smallest RSA key Moat signs with: RFC 8301 section 3.2 says signers MUST use at least 1024 and SHOULD use 2048. */
    public static final int MIN_RSA_SIGNING_BITS = 2048;

    private DkimKeys() {}

    public static KeyPair generateEd25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without Ed25519", e);
        }
    }

    public static KeyPair generateRsa(int bits) {
        if (bits < MIN_RSA_SIGNING_BITS) throw new IllegalArgumentException("RSA signing keys need at least 2048 bits");
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without RSA", e);
        }
    }

    /** PKCS#8 in PEM, 64 characters a line, LF line ends (RFC 7468 section 10). */
    public static String toPem(PrivateKey key) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
        return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
    }

    /**
     * Reads a PKCS#8 "PRIVATE KEY" PEM holding an Ed25519 or RSA key. Encrypted keys and the
     * older "RSA PRIVATE KEY" (PKCS#1) form are refused: convert them with
     * {@code openssl pkcs8 -topk8 -nocrypt}.
     */
    public static PrivateKey fromPem(String pem) {
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int a = pem.indexOf(begin);
        int b = pem.indexOf(end);
        if (a < 0 || b < a) throw new IllegalArgumentException("not a PEM PKCS#8 private key (BEGIN PRIVATE KEY)");
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(a + begin.length(), b).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad base64 in PEM private key", e);
        }
        for (String algorithm : new String[] {"Ed25519", "RSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("PEM private key is neither Ed25519 nor RSA");
    }

    /**
     * The TXT record text for {@code selector._domainkey.domain}: {@code v=DKIM1; k=ed25519;
     * p=<32 octets>} or {@code v=DKIM1; k=rsa; p=<SubjectPublicKeyInfo>}. An RSA record is longer
     * than 255 octets and must be split into several character-strings in the zone file.
     */
    public static String dnsRecord(PublicKey key) {
        byte[] der = key.getEncoded();
        if (key instanceof RSAPublicKey) {
            return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(der);
        }
        if (isEd25519(key.getAlgorithm())) {
            byte[] raw = Arrays.copyOfRange(der, KeyRecord.ED25519_SPKI_PREFIX.length, der.length);
            if (raw.length != 32) throw new IllegalArgumentException("unexpected Ed25519 key encoding");
            return "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(raw);
        }
        throw new IllegalArgumentException("not an RSA or Ed25519 key: " + key.getAlgorithm());
    }

    static boolean isEd25519(String algorithm) {
        return algorithm.equals("Ed25519") || algorithm.equals("EdDSA");
    }
}
