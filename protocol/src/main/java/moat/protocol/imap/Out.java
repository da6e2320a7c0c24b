package moat.protocol.imap;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/** Builds server responses as wire bytes: text, quoted strings, literals (RFC 9051 section 4.3). */
final class Out {
    /**
     * A growable byte buffer of our own rather than a ByteArrayOutputStream: ASCII text is
     * copied in without a String-to-bytes conversion, and a half-built response line can be cut
     * off again ({@link #truncate}), so FETCH 1:* builds one buffer, not a buffer per message.
     */
    private final Buf buf = new Buf();

    private static final class Buf {
        private byte[] b = new byte[256];
        private int n;

        private void room(int more) {
            if (n + more > b.length) b = java.util.Arrays.copyOf(b, Math.max(n + more, b.length * 2));
        }

        void write(int c) {
            room(1);
            b[n++] = (byte) c;
        }

        void write(byte[] src, int off, int len) {
            room(len);
            System.arraycopy(src, off, b, n, len);
            n += len;
        }

        void writeBytes(byte[] src) {
            write(src, 0, src.length);
        }
    }

    Out text(String s) {
        int len = s.length();
        buf.room(len);
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) { // not ASCII: the rest as UTF-8 (the ASCII prefix is the same in both)
                buf.writeBytes(s.substring(i).getBytes(StandardCharsets.UTF_8));
                return this;
            }
            buf.b[buf.n++] = (byte) c;
        }
        return this;
    }

    /** A decimal number, without a String. */
    Out number(long v) {
        if (v < 0 || v >= 1_000_000_000_000_000L) return text(Long.toString(v));
        buf.room(19);
        int start = buf.n;
        do {
            buf.b[buf.n++] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v > 0);
        for (int i = start, j = buf.n - 1; i < j; i++, j--) {
            byte t = buf.b[i];
            buf.b[i] = buf.b[j];
            buf.b[j] = t;
        }
        return this;
    }

    /** Cuts the buffer back to {@code size} octets (a response line given up half-way). */
    void truncate(int size) {
        if (size < 0 || size > buf.n) throw new IllegalArgumentException("truncate " + size);
        buf.n = size;
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
        return java.util.Arrays.copyOf(buf.b, buf.n);
    }

    int size() {
        return buf.n;
    }
}
