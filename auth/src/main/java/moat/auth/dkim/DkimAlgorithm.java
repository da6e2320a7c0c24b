package moat.auth.dkim;

/**
 * The signing algorithms Moat accepts (the "a=" tag): rsa-sha256 (RFC 6376 section 3.3.2) and
 * ed25519-sha256 (RFC 8463 section 3). rsa-sha1 is deliberately absent: RFC 8301 section 3.1
 * says verifiers MUST NOT consider it valid, so it parses to "algorithm not allowed".
 */
public enum DkimAlgorithm {
    RSA_SHA256("rsa-sha256", "rsa"),
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String token;
    private final String keyType;

    DkimAlgorithm(String token, String keyType) {
        this.token = token;
        this.keyType = keyType;
    }

    /** The "a=" spelling. */
    public String token() {
        return token;
    }

    /** The key record's "k=" value that goes with it. */
    public String keyType() {
        return keyType;
    }

    /** Both algorithms hash with SHA-256 (section 3.3 / RFC 8463 section 3). */
    String digest() {
        return "SHA-256";
    }

    static DkimAlgorithm of(String token) throws DkimSyntaxException {
        return switch (token.toLowerCase(java.util.Locale.ROOT)) {
            case "rsa-sha256" -> RSA_SHA256;
            case "ed25519-sha256" -> ED25519_SHA256;
            case "rsa-sha1" -> throw new DkimSyntaxException("algorithm not allowed: rsa-sha1 (RFC 8301)");
            default -> throw new DkimSyntaxException("unknown algorithm " + token);
        };
    }
}
