package moat.protocol.smtpclient;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes message octets for DATA (RFC 5321 section 4.5.2): a line that starts with "." gets one
 * more "."; {@link #finish()} ends the last line with CRLF if needed and writes the ".CRLF"
 * terminator. The stored body already uses CRLF (inbound refuses bare CR and LF), so line
 * endings are passed through unchanged. Does not close the wrapped stream.
 */
public final class DotStuffer extends FilterOutputStream {
    /** 0: at the start of a line; 1: after CR; 2: inside a line. */
    private int state;
    private long written;

    public DotStuffer(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (state == 0 && b == '.') out.write('.');
        out.write(b);
        written++;
        state = b == '\r' ? 1 : b == '\n' && state == 1 ? 0 : 2;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (state == 0 && c == '.') {
                out.write(b, start, i - start);
                out.write('.');
                start = i;
            }
            state = c == '\r' ? 1 : c == '\n' && state == 1 ? 0 : 2;
        }
        out.write(b, start, end - start);
        written += len;
    }

    /** Terminates the data: CRLF unless the message ended with one, then ".CRLF". */
    public void finish() throws IOException {
        if (state != 0 || written == 0) {
            if (written > 0) out.write(new byte[] {'\r', '\n'});
        }
        out.write(new byte[] {'.', '\r', '\n'});
        out.flush();
    }

    @Override
    public void close() throws IOException {
        flush(); // the socket stays open for the reply
    }
}
