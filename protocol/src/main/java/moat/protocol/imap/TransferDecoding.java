package moat.protocol.imap;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import java.util.Optional;

/**
 * Content-Transfer-Encoding decoding for FETCH BINARY (RFC 3516, RFC 2045 section 6). Lenient as
 * RFC 2045 asks of decoders: base64 ignores characters outside its alphabet and stops at '=';
 * quoted-printable keeps a malformed escape as it is. The output is never larger than the input.
 */
final class TransferDecoding {
    private TransferDecoding() {}

    /** The decoded octets, or empty for an encoding Moat does not know (the reply is NO [UNKNOWN-CTE]). */
    static Optional<byte[]> decode(Optional<String> cte, byte[] b, int off, int end) {
        String e = cte.map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse("7bit");
        return switch (e) {
            case "7bit", "8bit", "binary" -> Optional.of(java.util.Arrays.copyOfRange(b, off, end));
            case "base64" -> Optional.of(base64(b, off, end));
            case "quoted-printable" -> Optional.of(quotedPrintable(b, off, end));
            default -> Optional.empty();
        };
    }

    private static int b64(int c) {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    }

    static byte[] base64(byte[] b, int off, int end) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((end - off) * 3 / 4 + 3);
        int acc = 0;
        int bits = 0;
        for (int i = off; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == '=') break; // padding: the data ends here
            int v = b64(c);
            if (v < 0) continue; // line breaks and anything else outside the alphabet
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out.write((acc >> bits) & 0xff);
            }
        }
        return out.toByteArray();
    }

    private static int hex(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }

    static byte[] quotedPrintable(byte[] b, int off, int end) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - off);
        int i = off;
        while (i < end) {
            int c = b[i] & 0xff;
            if (c != '=') {
                out.write(c);
                i++;
                continue;
            }
            // soft line break: '=' then optional white space then CRLF or LF
            int j = i + 1;
            while (j < end && (b[j] == ' ' || b[j] == '\t')) j++;
            if (j < end && b[j] == '\r' && j + 1 < end && b[j + 1] == '\n') {
                i = j + 2;
                continue;
            }
            if (j < end && b[j] == '\n') {
                i = j + 1;
                continue;
            }
            if (j >= end) { // '=' at the very end: a soft break without the line ending
                i = end;
                continue;
            }
            if (i + 2 < end && hex(b[i + 1]) >= 0 && hex(b[i + 2]) >= 0) {
                out.write(hex(b[i + 1]) * 16 + hex(b[i + 2]));
                i += 3;
                continue;
            }
            out.write(c); // malformed: kept as it is
            i++;
        }
        return out.toByteArray();
    }
}
