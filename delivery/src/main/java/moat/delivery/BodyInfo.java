package moat.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * What delivery needs to know about a stored message, from one pass over its octets: the size,
 * whether any octet is 8-bit (8BITMIME, RFC 6152), whether the header section is (RFC 6532
 * UTF-8 headers need SMTPUTF8), and the header section itself (bounded) for DSNs.
 */
record BodyInfo(long size, boolean eightBit, boolean eightBitHeaders, String headers) {
    /** The header copy in a DSN is bounded: RFC 3462 text/rfc822-headers, not the whole message. */
    static final int MAX_HEADERS = 64 * 1024;

    static BodyInfo read(InputStream in) throws IOException {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long size = 0;
        boolean eight = false, eightHeaders = false, inHeaders = true;
        int last4 = 0; // the last four octets, to find CRLF CRLF
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                int b = buf[i] & 0xff;
                if (b >= 0x80) {
                    eight = true;
                    if (inHeaders) eightHeaders = true;
                }
                if (inHeaders) {
                    if (headers.size() < MAX_HEADERS) headers.write(b);
                    last4 = (last4 << 8) | b;
                    if (last4 == 0x0d0a0d0a) inHeaders = false;
                }
            }
            size += n;
        }
        return new BodyInfo(size, eight, eightHeaders, headers.toString(StandardCharsets.UTF_8));
    }
}
