package moat.protocol.imap;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/** Builds server responses as wire bytes: text, quoted strings, literals (RFC 9051 section 4.3). */
final class Out {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    Out text(String s) {
        buf.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        return this;
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
        return buf.toByteArray();
    }

    int size() {
        return buf.size();
    }
}
