package moat.store.password;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (RFC 9106) in the PHC string format
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (standard base64 without padding), the
 * format libargon2, Dovecot and most tools read.
 *
 * <p>The password is encoded as UTF-8 and every transient copy (the caller's {@code char[]}
 * included) is wiped after use. Comparison is constant-time.
 */
public final class Argon2id {
    public static final int SALT_BYTES = 16;
    public static final int HASH_BYTES = 32;
    private static final String PREFIX = "$argon2id$v=19$";
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final SecureRandom random = new SecureRandom();
    private final Argon2Params params;

    public Argon2id(Argon2Params params) {
        this.params = params;
    }

    public Argon2Params params() {
        return params;
    }

    /** Hashes with a fresh random salt and wipes {@code password}. */
    public String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] pw = utf8(password);
        try {
            byte[] h = derive(pw, salt, params, HASH_BYTES);
            String phc = PREFIX + "m=" + params.memoryKiB() + ",t=" + params.iterations() + ",p=" + params.parallelism()
                    + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(h);
            Arrays.fill(h, (byte) 0);
            return phc;
        } finally {
            Arrays.fill(pw, (byte) 0);
            Arrays.fill(password, '\0');
        }
    }

    /**
     * Checks {@code password} against a stored PHC string, with the parameters read from that
     * string. False for a malformed string. Wipes {@code password}.
     */
    public static boolean verify(String phc, char[] password) {
        byte[] pw = utf8(password);
        try {
            Optional<Parsed> parsed = parse(phc);
            if (parsed.isEmpty()) return false;
            Parsed p = parsed.get();
            byte[] h = derive(pw, p.salt(), p.params(), p.hash().length);
            boolean ok = MessageDigest.isEqual(h, p.hash());
            Arrays.fill(h, (byte) 0);
            return ok;
        } finally {
            Arrays.fill(pw, (byte) 0);
            Arrays.fill(password, '\0');
        }
    }

    /** The cost parameters of a stored hash, e.g. to decide on a re-hash. */
    public static Optional<Argon2Params> paramsOf(String phc) {
        return parse(phc).map(Parsed::params);
    }

    private record Parsed(Argon2Params params, byte[] salt, byte[] hash) {}

    private static Optional<Parsed> parse(String phc) {
        if (phc == null || !phc.startsWith(PREFIX)) return Optional.empty();
        String[] parts = phc.substring(PREFIX.length()).split("\\$", -1);
        if (parts.length != 3) return Optional.empty();
        int m = -1, t = -1, p = -1;
        for (String kv : parts[0].split(",", -1)) {
            int eq = kv.indexOf('=');
            if (eq < 0) return Optional.empty();
            int v;
            try {
                v = Integer.parseInt(kv.substring(eq + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            switch (kv.substring(0, eq)) {
                case "m" -> m = v;
                case "t" -> t = v;
                case "p" -> p = v;
                default -> { return Optional.empty(); }
            }
        }
        try {
            byte[] salt = B64D.decode(parts[1]);
            byte[] hash = B64D.decode(parts[2]);
            // RFC 9106 section 3.1: salt at least 8 bytes, tag at least 4 bytes.
            if (salt.length < 8 || hash.length < 4 || hash.length > 1024) return Optional.empty();
            return Optional.of(new Parsed(new Argon2Params(m, t, p), salt, hash));
        } catch (IllegalArgumentException e) { // bad base64 or parameters out of bounds
            return Optional.empty();
        }
    }

    /**
     * Which implementation derives keys here: "libsodium" when it is installed (and the parameters
     * suit it: one lane, 16-byte salt), else "bouncycastle". Logged at start-up.
     */
    public static String engine() {
        return Sodium.available() ? "libsodium" : "bouncycastle";
    }

    private static byte[] derive(byte[] password, byte[] salt, Argon2Params params, int length) {
        Optional<byte[]> fast = Sodium.derive(password, salt, params, length);
        return fast.isPresent() ? fast.get() : deriveJava(password, salt, params, length);
    }

    /** The portable implementation (Bouncy Castle); also the reference the libsodium path is tested against. */
    static byte[] deriveJava(byte[] password, byte[] salt, Argon2Params params, int length) {
        Argon2Parameters ap = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(params.memoryKiB())
                .withIterations(params.iterations())
                .withParallelism(params.parallelism())
                .build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(ap);
        byte[] out = new byte[length];
        gen.generateBytes(password, out);
        return out;
    }

    /** UTF-8 without going through an immutable String, so the bytes can be wiped. */
    private static byte[] utf8(char[] password) {
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer bb;
        try {
            bb = enc.encode(CharBuffer.wrap(password));
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e); // REPLACE never throws
        }
        byte[] out = Arrays.copyOfRange(bb.array(), bb.position(), bb.limit());
        Arrays.fill(bb.array(), (byte) 0);
        return out;
    }
}
