package moat.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Optional;

/**
 * A DKIM key record (RFC 6376 section 3.6.1) at {@code selector._domainkey.domain}.
 *
 * @param keyType     k=, "rsa" (the default) or "ed25519" (RFC 8463 section 4)
 * @param key         the public key; empty when p= is empty, which means revoked (section 3.6.1)
 * @param hashes      h=, the acceptable hash algorithms; empty means all
 * @param testing     t=y: the domain is testing DKIM (section 3.6.1), a result to report, not trust
 * @param strict      t=s: the i= domain must equal d= exactly, no subdomain
 */
public record KeyRecord(String keyType, Optional<PublicKey> key, List<String> hashes, boolean testing, boolean strict) {
    /** A record longer than this is refused: a 4096-bit RSA key needs about 800 octets. */
    static final int MAX_LENGTH = 4096;

    /**
     * The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 section 4): DKIM publishes the
     * bare 32-octet key (RFC 8463 section 4.2), the JDK wants it wrapped.
     */
    static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    public static KeyRecord parse(String text) throws DkimSyntaxException {
        if (text.length() > MAX_LENGTH) throw new DkimSyntaxException("key record over " + MAX_LENGTH + " octets");
        TagList tags = TagList.parse(text);
        // Section 3.6.1 v=: "If specified, this tag MUST be set to "DKIM1" ... MUST be the first tag".
        Optional<String> v = tags.get("v");
        if (v.isPresent() && (!v.get().equals("DKIM1") || !tags.tags().keySet().iterator().next().equals("v"))) {
            throw new DkimSyntaxException("key record v= is not a leading DKIM1");
        }
        String k = tags.get("k").orElse("rsa");
        if (!k.equals("rsa") && !k.equals("ed25519")) throw new DkimSyntaxException("unknown key type k=" + k);
        List<String> hashes = tags.get("h").map(TagList::colonList).orElse(List.of());
        List<String> services = tags.get("s").map(TagList::colonList).orElse(List.of("*"));
        if (!services.contains("*") && !services.contains("email")) {
            throw new DkimSyntaxException("key is not for email (s=" + tags.get("s").orElse("") + ")");
        }
        List<String> flags = tags.get("t").map(TagList::colonList).orElse(List.of());
        String p = tags.require("p");
        Optional<PublicKey> key = p.isEmpty() ? Optional.empty() : Optional.of(decode(k, TagList.base64("p", p)));
        return new KeyRecord(k, key, hashes, flags.contains("y"), flags.contains("s"));
    }

    /** RSA modulus length in bits, 0 for other key types. */
    public int rsaBits() {
        return key.filter(RSAPublicKey.class::isInstance).map(pk -> ((RSAPublicKey) pk).getModulus().bitLength())
                .orElse(0);
    }

    private static PublicKey decode(String k, byte[] der) throws DkimSyntaxException {
        try {
            if (k.equals("ed25519")) {
                if (der.length != 32) throw new DkimSyntaxException("ed25519 key is not 32 octets");
                byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
                System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                System.arraycopy(der, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
            // Section 3.6.1 p=: an RSA key is a SubjectPublicKeyInfo. Some publishers put a bare
            // RSAPublicKey (PKCS#1) there; that is refused rather than guessed at.
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new DkimSyntaxException("cannot decode " + k + " public key");
        }
    }
}
