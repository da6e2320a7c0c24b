package moat.store.sqlite;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Body and queue ids: 20 characters of lower-case Crockford base32 (no i, l, o, u), so they are
 * safe as file names on every file system and sort by creation time. Layout: 13 characters hold
 * epoch milliseconds (43 bits, good until 2248) shifted left by a 20-bit counter within the
 * millisecond (strictly increasing in this process even if the clock steps back), then 7
 * characters (35 bits) of randomness so ids stay unique across a restart within one millisecond.
 */
final class MessageIds {
    private static final String DIGITS = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final char[] ALPHABET = DIGITS.toCharArray();
    static final int LENGTH = 20;

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** millis << 20 | counter, of the last id handed out. */
    private final AtomicLong last = new AtomicLong();

    MessageIds(Clock clock) {
        this.clock = clock;
    }

    String next() {
        long now = clock.millis() << 20;
        long stamp = last.updateAndGet(prev -> Math.max(now, prev + 1));
        long rnd = random.nextLong() & ((1L << 35) - 1);
        char[] out = new char[LENGTH];
        encode(stamp, 65, out, 0, 13); // stamp < 2^63: 13 characters
        encode(rnd, 35, out, 13, 7);
        return new String(out);
    }

    private static void encode(long value, int bits, char[] out, int at, int chars) {
        for (int i = 0; i < chars; i++) {
            int shift = bits - 5 * (i + 1);
            out[at + i] = ALPHABET[(int) (value >>> shift) & 31];
        }
    }

    /** True for a string this class could have produced: guards file names found on disk. */
    static boolean looksValid(String id) {
        if (id.length() != LENGTH) return false;
        for (int i = 0; i < id.length(); i++) if (DIGITS.indexOf(id.charAt(i)) < 0) return false;
        return true;
    }

    /** The {@code messages/xx} bucket: low 8 random bits, so files spread evenly over 256 directories. */
    static String bucket(String id) {
        int v = (indexOf(id.charAt(LENGTH - 2)) << 5 | indexOf(id.charAt(LENGTH - 1))) & 0xff;
        return String.format("%02x", v);
    }

    private static int indexOf(char c) {
        int i = DIGITS.indexOf(c);
        if (i >= 0) return i;
        throw new IllegalArgumentException("not a base32 character: " + c);
    }
}
