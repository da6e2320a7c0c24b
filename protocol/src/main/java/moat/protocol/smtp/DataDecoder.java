package moat.protocol.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import moat.core.Reason;

/**
 * Decodes the octets of a DATA stream (dot-stuffed, ended by CRLF.CRLF, RFC 5321 section 4.5.2)
 * or of BDAT chunks (raw, RFC 3030) into message octets, enforcing the limits while it streams.
 *
 * <p>Smuggling defence: the only end of DATA is CR LF "." CR LF at a line start, where a line
 * starts only after CR LF. A bare LF or bare CR never starts a line, so {@code \n.\n},
 * {@code \r.\r} or {@code \n.\r\n} cannot end the message early; and any bare CR or LF refuses
 * the whole message ({@link Reason#DATA_BARE_LF}, {@link Reason#DATA_BARE_CR}).
 *
 * <p>After the first violation nothing more is written to the sink but decoding goes on, so the
 * end of the data is still found and the session stays in step with the client.
 */
public final class DataDecoder {
    private final boolean dotted;
    private final int maxLine;
    private final int maxHeader;
    private final long maxSize;

    private boolean lineStart = true;
    private boolean pendingCr;
    private int dotState; // 0 none, 1 saw '.' at line start, 2 saw ".\r"
    private int lineLength;
    private boolean inHeader = true;
    private long headerBytes;
    private long size;
    private Reason violation;
    private boolean ended;

    private final byte[] out = new byte[8 * 1024 + 16];
    private int outLen;

    private DataDecoder(boolean dotted, SmtpLimits limits) {
        this.dotted = dotted;
        this.maxLine = limits.maxTextLine();
        this.maxHeader = limits.maxHeaderSize();
        this.maxSize = limits.maxMessageSize();
    }

    /** For DATA: dot-stuffed, ends at CRLF.CRLF. */
    public static DataDecoder forData(SmtpLimits limits) {
        return new DataDecoder(true, limits);
    }

    /** For BDAT: raw chunks; the end is given by the LAST chunk. */
    public static DataDecoder forBdat(SmtpLimits limits) {
        return new DataDecoder(false, limits);
    }

    /**
     * Feeds bytes; returns how many were consumed. For DATA the count stops right after the
     * terminating CRLF.CRLF (what follows is the next pipelined command); for BDAT all are consumed.
     */
    public int feed(byte[] buf, int off, int len, OutputStream sink) throws IOException {
        int i = off;
        int end = off + len;
        while (i < end && !ended) {
            // each input octet emits at most two (a held CR and itself): 4 KiB in fits the buffer
            int stop = Math.min(end, i + 4096);
            while (i < stop && !ended) step(buf[i++]);
            flush(sink);
        }
        return i - off;
    }

    private void step(byte b) {
        if (dotted && dotState > 0) {
            if (dotState == 1) {
                if (b == '\r') {
                    dotState = 2;
                    return;
                }
                dotState = 0; // stuffed dot: drop it (section 4.5.2) and treat b as the line's first octet
                lineStart = false;
                if (b == '.') {
                    emit(b);
                    return;
                }
            } else { // ".\r"
                if (b == '\n') {
                    ended = true;
                    return;
                }
                // ".\r" not followed by LF: a bare CR. The dot was a stuffed dot.
                dotState = 0;
                lineStart = false;
                fail(Reason.DATA_BARE_CR);
                // b continues below as ordinary content
            }
        }
        if (pendingCr) {
            pendingCr = false;
            if (b == '\n') {
                emit((byte) '\r');
                emit((byte) '\n');
                endOfLine();
                return;
            }
            fail(Reason.DATA_BARE_CR);
            emit((byte) '\r');
        }
        if (b == '\r') {
            pendingCr = true;
            return;
        }
        if (b == '\n') {
            fail(Reason.DATA_BARE_LF);
            emit(b);
            lineStart = false; // a bare LF never starts a line: no early end of data
            return;
        }
        if (dotted && lineStart && b == '.') {
            dotState = 1;
            return;
        }
        lineStart = false;
        emit(b);
    }

    private void endOfLine() {
        if (inHeader && lineLength == 0) inHeader = false;
        lineStart = true;
        lineLength = 0;
    }

    private void emit(byte b) {
        size++;
        if (b != '\r' && b != '\n') {
            lineLength++;
            if (lineLength + 2 > maxLine) fail(Reason.TEXT_LINE_TOO_LONG);
        }
        if (inHeader) {
            headerBytes++;
            if (headerBytes > maxHeader) fail(Reason.HEADER_TOO_LARGE);
        }
        if (size > maxSize) fail(Reason.MESSAGE_TOO_LARGE);
        if (violation == null) out[outLen++] = b;
    }

    private void fail(Reason r) {
        if (violation == null) violation = r;
    }

    private void flush(OutputStream sink) throws IOException {
        if (outLen > 0) {
            if (violation == null) sink.write(out, 0, outLen);
            outLen = 0;
        }
    }

    /** For BDAT LAST: a CR left dangling at the very end is a bare CR. */
    public void finish() {
        if (pendingCr) {
            pendingCr = false;
            fail(Reason.DATA_BARE_CR);
        }
        ended = true;
    }

    public boolean ended() {
        return ended;
    }

    /** Message octets accepted so far (after unstuffing). */
    public long size() {
        return size;
    }

    public Optional<Reason> violation() {
        return Optional.ofNullable(violation);
    }
}
