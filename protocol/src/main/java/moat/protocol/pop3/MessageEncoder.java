package moat.protocol.pop3;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Turns a stored message into the multi-line body of RETR or TOP (RFC 1939 sections 3, 7):
 * a line starting with "." gets one more "." (byte-stuffing), the text ends with CRLF and then
 * ".CRLF". For TOP, the header section, the empty line and then at most {@code bodyLines} body
 * lines are sent. Pure: feed bytes, get bytes.
 *
 * <p>Stored bodies are CRLF already (SMTP refuses bare CR/LF); a bare LF is still treated as a
 * line end so a defective body cannot end the response early or hide an unstuffed ".".
 */
public final class MessageEncoder {
    private final long bodyLines; // -1: all (RETR)
    private boolean lineStart = true;
    private boolean inHeader = true;
    private boolean lastWasCr;
    private int headerLineLength; // bytes of the current header line (0 at start)
    private long bodyLinesSent;
    private boolean done;

    private MessageEncoder(long bodyLines) {
        this.bodyLines = bodyLines;
    }

    public static MessageEncoder retr() {
        return new MessageEncoder(-1);
    }

    public static MessageEncoder top(long bodyLines) {
        if (bodyLines < 0) throw new IllegalArgumentException("negative line count");
        return new MessageEncoder(bodyLines);
    }

    /** True when TOP has sent all it needs; the rest of the body need not be read. */
    public boolean satisfied() {
        return done;
    }

    /** Encodes {@code len} bytes into {@code out}. */
    public void feed(byte[] b, int off, int len, OutputStream out) throws IOException {
        int start = off;
        int end = off + len;
        int i = off;
        for (; i < end && !done; i++) {
            byte c = b[i];
            if (lineStart && c == '.') {
                out.write(b, start, i - start);
                out.write('.');
                start = i; // the original dot follows
            }
            lineStart = false;
            if (c == '\n') {
                if (!lastWasCr) { // bare LF: send it as CRLF
                    out.write(b, start, i - start);
                    out.write('\r');
                    start = i;
                }
                lineEnded();
            } else if (c != '\r') {
                headerLineLength++;
            }
            lastWasCr = c == '\r';
        }
        if (i > start) out.write(b, start, i - start);
    }

    private void lineEnded() {
        lineStart = true;
        if (inHeader) {
            if (headerLineLength == 0) inHeader = false; // the empty line ends the header section
            headerLineLength = 0;
        } else {
            bodyLinesSent++;
        }
        if (bodyLines >= 0 && !inHeader && bodyLinesSent >= bodyLines) done = true;
    }

    /** Ends the response: CRLF if the text did not end with one, then ".CRLF". */
    public void finish(OutputStream out) throws IOException {
        if (!lineStart) out.write(lastWasCr ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
        out.write(new byte[] {'.', '\r', '\n'});
    }
}
