package moat.auth.arc;

import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Locale;
import java.util.Objects;

/**
 * What a sealer signs with: d=, s= and the private key. RSA gives rsa-sha256, Ed25519 gives
 * ed25519-sha256. RSA keys under 1024 bits are refused (RFC 8301 section 3.2 "MUST use at least
 * 1024"); keys Moat generates ({@code DkimKeys.generateRsa}) have at least 2048.
 */
public record ArcSealingKey(String domain, String selector, PrivateKey key) {
    public ArcSealingKey {
        Objects.requireNonNull(key, "key");
        domain = label(Objects.requireNonNull(domain, "domain"));
        selector = label(Objects.requireNonNull(selector, "selector"));
        if (key instanceof RSAPrivateKey rsa) {
            if (rsa.getModulus().bitLength() < ArcVerifier.MIN_RSA_BITS) {
                throw new IllegalArgumentException("RSA sealing keys need at least 1024 bits");
            }
        } else if (!key.getAlgorithm().equals("Ed25519") && !key.getAlgorithm().equals("EdDSA")) {
            throw new IllegalArgumentException("not an RSA or Ed25519 key: " + key.getAlgorithm());
        }
    }

    /** The a= token. */
    public String algorithm() {
        return key instanceof RSAPrivateKey ? "rsa-sha256" : "ed25519-sha256";
    }

    private static String label(String s) {
        String d = s.toLowerCase(Locale.ROOT);
        if (d.isEmpty() || d.length() > 253 || !d.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)*")) {
            throw new IllegalArgumentException("not a domain name: " + s);
        }
        return d;
    }
}
