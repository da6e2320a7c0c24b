package moat.server.content.clamd;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * clamd's INSTREAM exchange as values, without I/O (clamd(8), "INSTREAM"): the command, the
 * chunk framing, and what a reply means.
 *
 * <p>The client sends {@code zINSTREAM\0} (the {@code z} prefix asks for NUL-terminated replies),
 * then chunks, each a 4-octet unsigned big-endian length followed by that many octets, then a
 * zero length. clamd answers one line: {@code stream: OK}, {@code stream: <signature> FOUND}, or
 * {@code <message> ERROR} (among them {@code INSTREAM size limit exceeded. ERROR} once the stream
 * passes its StreamMaxLength, after which it closes the connection).
 */
public final class Instream {
    /** The INSTREAM command, NUL-delimited. */
    public static final byte[] COMMAND = "zINSTREAM\0".getBytes(StandardCharsets.US_ASCII);
    /** The zero-length chunk that ends the stream. */
    public static final byte[] END = chunkHeader(0);
    /** VERSION (answers e.g. {@code ClamAV 1.4.6/27480/...}): the start-up probe. */
    public static final byte[] VERSION = "zVERSION\0".getBytes(StandardCharsets.US_ASCII);
    /** Longest reply read: a signature name is well under 200 octets; anything longer is not clamd. */
    public static final int MAX_REPLY = 1024;
    /** Longest signature name passed on to the log (clamd's own names stay well below). */
    static final int MAX_NAME = 200;

    /** What clamd said about one stream. */
    public sealed interface Result {
        /** {@code stream: OK}. */
        record Clean() implements Result {}

        /** {@code stream: <signature> FOUND}; {@code signature} printable ASCII, bounded. */
        record Found(String signature) implements Result {}

        /** An {@code ERROR} reply, no reply, or one that is not clamd's; {@code error} is printable, bounded. */
        record Failed(String error) implements Result {}
    }

    private Instream() {}

    /** The 4-octet big-endian length that precedes a chunk. */
    public static byte[] chunkHeader(int length) {
        if (length < 0) throw new IllegalArgumentException("negative chunk length");
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    /**
     * The reply in the first {@code length} octets of {@code buf} once it is complete: up to its
     * NUL, or everything when {@code eof} (clamd closed without one). Empty: read more.
     */
    public static Optional<String> frame(byte[] buf, int length, boolean eof) {
        for (int i = 0; i < length; i++) {
            if (buf[i] == 0) return Optional.of(new String(buf, 0, i, StandardCharsets.ISO_8859_1));
        }
        if (eof || length >= MAX_REPLY) return Optional.of(new String(buf, 0, length, StandardCharsets.ISO_8859_1));
        return Optional.empty();
    }

    /** Reads a reply line (without its NUL). Anything that is not one of clamd's shapes is a failure. */
    public static Result parse(String reply) {
        String r = reply.strip();
        if (r.isEmpty()) return new Result.Failed("no reply (connection closed)");
        if (r.equals("stream: OK")) return new Result.Clean();
        // "stream: FOUND" would overlap prefix and suffix: it has no name, so it is not this shape.
        if (r.startsWith("stream: ") && r.endsWith(" FOUND") && r.length() > "stream: ".length() + " FOUND".length() - 1) {
            String name = r.substring("stream: ".length(), r.length() - " FOUND".length()).strip();
            if (!name.isEmpty() && name.length() <= MAX_NAME && name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                return new Result.Found(name);
            }
            return new Result.Failed("malformed FOUND reply: " + printable(r));
        }
        if (r.endsWith(" ERROR")) {
            String msg = r.substring(0, r.length() - " ERROR".length()).strip();
            if (msg.startsWith("stream: ")) msg = msg.substring("stream: ".length());
            return new Result.Failed(printable(msg));
        }
        return new Result.Failed("unexpected reply: " + printable(r));
    }

    /** The VERSION reply without trailing noise (for the start-up line), bounded and printable. */
    public static String version(String reply) {
        return printable(reply.strip());
    }

    /** Log-safe: printable ASCII only (others become '?'), at most 200 characters. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < MAX_NAME; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (s.length() > MAX_NAME) sb.append("...");
        return sb.toString();
    }
}
