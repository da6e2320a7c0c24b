package moat.server.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The Ed25519 key that signs the audit log's checkpoints (the JDK's Ed25519, RFC 8032): created
 * on first start as {@code <data_dir>/audit-key.pem} (PKCS#8, mode 0600 from the start) and
 * {@code audit-key.pub.pem} (SubjectPublicKeyInfo). The admin keeps a copy of the public key
 * elsewhere ({@code moat log key}) and verifies with it ({@code moat log verify --key}): an
 * intruder who can rewrite the data dir can also replace the key pair there.
 */
public final class AuditKey {
    public static final String PRIVATE_FILE = "audit-key.pem";
    public static final String PUBLIC_FILE = "audit-key.pub.pem";
    private static final String DOMAIN = "moat-audit-checkpoint";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private AuditKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** The key pair in {@code dataDir}, created when neither file exists. */
    public static AuditKey loadOrCreate(Path dataDir) throws IOException {
        Path priv = dataDir.resolve(PRIVATE_FILE);
        Path pub = dataDir.resolve(PUBLIC_FILE);
        try {
            if (!Files.exists(priv)) {
                if (Files.exists(pub))
                    throw new IOException(pub + " exists without " + priv + "; move it away to create a new audit key");
                Files.createDirectories(dataDir);
                KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                writePrivate(priv, pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
                Files.writeString(pub, publicPem(kp.getPublic()), StandardCharsets.US_ASCII);
                return new AuditKey(kp.getPrivate(), kp.getPublic());
            }
            if (!Files.exists(pub))
                throw new IOException(priv + " exists without " + pub + "; restore it (the JDK cannot derive it)");
            PrivateKey k = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(der(Files.readString(priv, StandardCharsets.US_ASCII))));
            return new AuditKey(k, readPublic(pub));
        } catch (GeneralSecurityException e) {
            throw new IOException("audit key in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** A public key in PEM (as {@code moat log key} prints it). */
    public static PublicKey readPublic(Path pemFile) throws IOException {
        try {
            return KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(der(Files.readString(pemFile, StandardCharsets.US_ASCII))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(pemFile + " is not an Ed25519 public key in PEM: " + e.getMessage(), e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The public key in PEM ({@code -----BEGIN PUBLIC KEY-----}). */
    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** Short name of a public key, written in each checkpoint: first 16 hex digits of SHA-256 of its DER. */
    public static String id(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Base64 signature over the checkpoint statement for the chain up to {@code seq} (hash {@code hashHex}). */
    public String sign(long seq, String hashHex) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(statement(seq, hashHex));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Whether {@code sig} is {@code key}'s signature of the chain up to {@code seq} with hash {@code hashHex}. */
    public static boolean verify(PublicKey key, long seq, String hashHex, String sig) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(statement(seq, hashHex));
            return s.verify(Base64.getDecoder().decode(sig));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** What a checkpoint signs: {@code moat-audit-checkpoint <seq> <hash hex>} in ASCII (docs/adr/0027). */
    static byte[] statement(long seq, String hashHex) {
        return (DOMAIN + " " + seq + " " + hashHex).getBytes(StandardCharsets.US_ASCII);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The base64 between the first BEGIN and END lines; text around them (a comment) is ignored. */
    private static byte[] der(String pem) {
        StringBuilder b64 = new StringBuilder();
        boolean inside = false;
        for (String line : pem.split("\\R")) {
            if (line.startsWith("-----BEGIN ")) inside = true;
            else if (line.startsWith("-----END ")) break;
            else if (inside) b64.append(line.strip());
        }
        return Base64.getDecoder().decode(b64.toString());
    }

    /** Created with mode 0600 from the start: the key is never readable by others, not even briefly. */
    private static void writePrivate(Path file, String pem) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
