package moat.auth.dkim;

import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Objects;

/**
 * What a domain signs with: its d=, its s= and its private key. The algorithm follows from the
 * key: Ed25519 gives ed25519-sha256 (RFC 8463), RSA gives rsa-sha256 with at least 2048 bits
 * (RFC 8301 section 3.2).
 */
public record DkimSigningKey(String domain, String selector, PrivateKey key) {
    public DkimSigningKey {
        Objects.requireNonNull(key, "key");
        try {
            domain = DkimSignature.domainName("d", Objects.requireNonNull(domain, "domain"));
            selector = DkimSignature.domainName("s", Objects.requireNonNull(selector, "selector"));
        } catch (DkimSyntaxException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (key instanceof RSAPrivateKey rsa) {
            if (rsa.getModulus().bitLength() < DkimKeys.MIN_RSA_SIGNING_BITS) {
                throw new IllegalArgumentException("RSA signing keys need at least 2048 bits");
            }
        } else if (!DkimKeys.isEd25519(key.getAlgorithm())) {
            throw new IllegalArgumentException("not an RSA or Ed25519 key: " + key.getAlgorithm());
        }
    }

    public DkimAlgorithm algorithm() {
        return key instanceof RSAPrivateKey ? DkimAlgorithm.RSA_SHA256 : DkimAlgorithm.ED25519_SHA256;
    }
}
