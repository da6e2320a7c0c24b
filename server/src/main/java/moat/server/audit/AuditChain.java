package moat.server.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hash chain of the audit log, without I/O (docs/adr/0027). A chained line is a JSON object
 * whose first member is {@code "seq":N} and whose last is {@code "hash":"<64 hex>"}; its
 * <em>body</em> is the line with {@code ,"hash":"…"} cut out (so it ends in {@code }}), and
 *
 * <pre>hash(N) = SHA-256( hash(N-1) as 32 raw bytes || UTF-8 bytes of body(N) )</pre>
 *
 * with 32 zero bytes before seq 1. The body is taken byte for byte from the line, never
 * re-serialised, so a verifier needs no canonical JSON: any change to a byte changes the hash.
 * Not thread-safe: its one writer holds a lock around {@link #append}.
 */
public final class AuditChain {
    /** The hash "before" seq 1. */
    public static final byte[] GENESIS = new byte[32];

    private static final HexFormat HEX = HexFormat.of();
    private static final String HASH_MEMBER = ",\"hash\":\"";
    private static final Pattern TAIL = Pattern.compile(",\"hash\":\"([0-9a-f]{64})\"}$");
    private static final Pattern HEAD = Pattern.compile("^\\{\"seq\":([1-9][0-9]{0,17})[,}]");

    private long seq;
    private byte[] last;

    private AuditChain(long seq, byte[] last) {
        this.seq = seq;
        this.last = last.clone();
    }

    /** A new chain: the next line is seq 1. */
    public static AuditChain start() {
        return new AuditChain(0, GENESIS);
    }

    /** The chain after {@code link}: the next line is its seq + 1 (a restart continues the chain). */
    public static AuditChain after(Link link) {
        return new AuditChain(link.seq(), link.hash());
    }

    /**
     * Chains {@code json} (a JSON object without seq and hash, e.g. {@code {"ts":…,"event":…}})
     * as the next line and returns it, without the line feed.
     */
    public String append(String json) {
        if (json.length() < 2 || json.charAt(0) != '{' || json.charAt(json.length() - 1) != '}')
            throw new IllegalArgumentException("not a JSON object: " + json);
        long next = seq + 1;
        String body = "{\"seq\":" + next + (json.length() == 2 ? "}" : "," + json.substring(1));
        byte[] h = hash(last, body);
        seq = next;
        last = h;
        return body.substring(0, body.length() - 1) + HASH_MEMBER + HEX.formatHex(h) + "\"}";
    }

    /** Seq of the last line appended (0 before the first). */
    public long seq() {
        return seq;
    }

    /** Hash of the last line appended, lower-case hex. */
    public String lastHash() {
        return HEX.formatHex(last);
    }

    /** SHA-256 over the previous hash and the body's UTF-8 bytes: the chain's one definition. */
    public static byte[] hash(byte[] previous, String body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(previous);
            sha.update(body.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** A chained line taken apart: its seq, its stated hash and the body the hash covers. */
    public record Link(long seq, byte[] hash, String body) {
        public Link {
            hash = hash.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        public String hashHex() {
            return HEX.formatHex(hash);
        }
    }

    /** The line as a chained line; empty when it has no seq first or no hash last. */
    public static Optional<Link> parse(String line) {
        Matcher tail = TAIL.matcher(line);
        if (!tail.find()) return Optional.empty();
        String body = line.substring(0, tail.start()) + "}";
        Matcher head = HEAD.matcher(body);
        if (!head.find()) return Optional.empty();
        return Optional.of(new Link(Long.parseLong(head.group(1)), HEX.parseHex(tail.group(1)), body));
    }
}
