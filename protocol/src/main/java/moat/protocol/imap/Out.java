package moat.protocol.imap;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/** Builds server responses as wire bytes: text, quoted strings, literals (RFC 9051 section 4.3). */
final class Out {
    /**
     * A byte buffer of our own rather than a ByteArrayOutputStream: ASCII text is copied in
     * without a String-to-bytes conversion; a half-built response line can be cut off again
     * ({@link #truncate}), so FETCH 1:* builds one buffer, not a buffer per message; and it is
     * a list of full blocks, so a large response ({@link #parts}) is never copied into one
     * doubling array (a FETCH 1:* (ENVELOPE) of 100,000 messages is about 45 MB).
     */
    private final Buf buf = new Buf();

    static final int BLOCK = 64 * 1024;

    private static final class Buf {
        private final java.util.ArrayList<byte[]> full = new java.util.ArrayList<>();
        private int done; // octets in the full blocks
        private byte[] b = new byte[256];
        private int n;

        /** Makes room for at least one more octet in the current block. */
        private void next() {
            if (b.length < BLOCK) {
                b = java.util.Arrays.copyOf(b, Math.min(BLOCK, b.length * 2));
                return;
            }
            full.add(b);
            done += b.length;
            b = new byte[BLOCK];
            n = 0;
        }

        void write(int c) {
            if (n == b.length) next();
            b[n++] = (byte) c;
        }

        void write(byte[] src, int off, int len) {
            while (len > 0) {
                if (n == b.length) next();
                int k = Math.min(len, b.length - n);
                System.arraycopy(src, off, b, n, k);
                n += k;
                off += k;
                len -= k;
            }
        }

        void writeBytes(byte[] src) {
            write(src, 0, src.length);
        }

        int size() {
            return done + n;
        }

        void truncate(int size) {
            if (size < 0 || size > size()) throw new IllegalArgumentException("truncate " + size);
            while (size < done) {
                b = full.removeLast();
                done -= b.length;
                n = b.length;
            }
            n = size - done;
        }

        List<byte[]> parts() {
            List<byte[]> out = new java.util.ArrayList<>(full);
            if (n > 0) out.add(java.util.Arrays.copyOf(b, n));
            return out;
        }

        byte[] bytes() {
            byte[] out = new byte[size()];
            int at = 0;
            for (byte[] f : full) {
                System.arraycopy(f, 0, out, at, f.length);
                at += f.length;
            }
            System.arraycopy(b, 0, out, at, n);
            return out;
        }
    }

    Out text(String s) {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) { // not ASCII: the rest as UTF-8 (the ASCII prefix is the same in both)
                buf.writeBytes(s.substring(i).getBytes(StandardCharsets.UTF_8));
                return this;
            }
            buf.write(c);
        }
        return this;
    }

    /** Digits of {@link #number}, reused: an Out is built by one thread. */
    private final byte[] digits = new byte[19];

    /** A decimal number, without a String or an array per call (FETCH 1:* writes two per message). */
    Out number(long v) {
        if (v < 0) return text(Long.toString(v));
        byte[] d = digits;
        int i = d.length;
        do {
            d[--i] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v > 0);
        buf.write(d, i, d.length - i);
        return this;
    }

    /** Cuts the response back to {@code size} octets (a response line given up half-way). */
    void truncate(int size) {
        buf.truncate(size);
    }

    /** Bytes already in wire form (a cached ENVELOPE or BODYSTRUCTURE). */
    Out raw(byte[] b) {
        buf.writeBytes(b);
        return this;
    }

    Out crlf() {
        buf.write('\r');
        buf.write('\n');
        return this;
    }

    Out untagged(String s) {
        return text("* ").text(s).crlf();
    }

    Out tagged(String tag, String status, String s) {
        return text(tag).text(" ").text(status).text(" ").text(s).crlf();
    }

    /** A string as quoted when it is short printable ASCII, else as a literal. */
    Out string(String s) {
        return string(s.getBytes(StandardCharsets.UTF_8));
    }

    Out string(byte[] b) {
        boolean quotable = b.length < 256;
        for (int i = 0; quotable && i < b.length; i++) if (b[i] < 0x20 || b[i] >= 0x7f) quotable = false;
        if (quotable) {
            buf.write('"');
            for (byte c : b) {
                if (c == '"' || c == '\\') buf.write('\\');
                buf.write(c);
            }
            buf.write('"');
            return this;
        }
        return literal(b, 0, b.length);
    }

    Out literal(byte[] b, int off, int len) {
        text("{" + len + "}").crlf();
        buf.write(b, off, len);
        return this;
    }

    /** A literal, as literal8 ({@code ~{n}}, RFC 3516) when the octets contain NUL. */
    Out literal8(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] == 0) {
                text("~");
                break;
            }
        }
        return literal(b, off, len);
    }

    Out nstring(String s) {
        return s == null ? text("NIL") : string(s);
    }

    private static final java.util.List<String> SYSTEM = java.util.List.of("\\Answered", "\\Flagged", "\\Deleted",
            "\\Seen", "\\Draft");

    /** A flag list in a stable order: system flags (RFC order), then keywords alphabetically. */
    static String flags(Collection<String> flags) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String f : SYSTEM) if (flags.contains(f)) out.add(f);
        flags.stream().filter(f -> !SYSTEM.contains(f)).sorted().forEach(out::add);
        return "(" + String.join(" ", out) + ")";
    }

    byte[] bytes() {
        return buf.bytes();
    }

    /** The response as blocks of at most {@link #BLOCK} octets, in order, without joining them. */
    List<byte[]> parts() {
        return buf.parts();
    }

    int size() {
        return buf.size();
    }
}
