package moat.server.connection;

import java.io.Flushable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * What a connection has read from its client and not consumed yet. Reading blocks (the
 * connection runs on its own virtual thread); before each read the pending replies are flushed,
 * since the client may be waiting for them: that is what makes pipelining cheap.
 *
 * <p>Idle-connection memory: the read buffer starts small and a command line buffer grows only
 * as long lines arrive; {@link #growTo} gives a message body large reads, {@link #shrinkWhenDrained}
 * gives the memory back.
 */
public final class ClientInput {
    /** {@link #readLine} at end of stream. */
    public static final int EOF = -1;
    /** {@link #readLine} for a line longer than its bound (skipped up to its LF). */
    public static final int TOO_LONG = -2;

    private static final int FIRST_LINE_BUFFER = 128;

    private final int idleSize;
    private InputStream in;
    private Flushable pending;
    private byte[] buf;
    private byte[] line = new byte[FIRST_LINE_BUFFER];
    private int pos;
    private int lim;

    /** {@code pending} is flushed before every blocking read. */
    public ClientInput(InputStream in, Flushable pending, int idleSize) {
        this.in = in;
        this.pending = pending;
        this.idleSize = idleSize;
        this.buf = new byte[idleSize];
    }

    /** After a TLS handshake: read from the TLS stream from now on. */
    public void switchTo(InputStream in, Flushable pending) {
        this.in = in;
        this.pending = pending;
    }

    /** Drops everything buffered (bytes pipelined behind STARTTLS came in plaintext). */
    public void discardBuffered() {
        pos = lim = 0;
    }

    /**
     * Reads one line into {@link #line()} without its LF (and CR), growing the line buffer up to
     * {@code max}. Returns its length, {@link #EOF}, or {@link #TOO_LONG}.
     */
    public int readLine(int max) throws IOException {
        int n = 0;
        boolean overflow = false;
        while (true) {
            if (pos == lim && !fill()) return EOF;
            while (pos < lim) {
                byte b = buf[pos++];
                if (b == '\n') {
                    if (overflow) return TOO_LONG;
                    if (n > 0 && line[n - 1] == '\r') n--;
                    return n;
                }
                if (n == line.length && n < max) line = Arrays.copyOf(line, Math.min(max, 2 * n));
                if (n < line.length) line[n++] = b;
                else overflow = true;
            }
        }
    }

    /** The line {@link #readLine} just read (valid up to the length it returned). */
    public byte[] line() {
        return line;
    }

    /** Refills the buffer after flushing pending replies; false at end of stream. */
    public boolean fill() throws IOException {
        pending.flush();
        int r = in.read(buf, 0, buf.length);
        if (r <= 0) return false;
        pos = 0;
        lim = r;
        return true;
    }

    /** True when everything read has been consumed. */
    public boolean drained() {
        return pos == lim;
    }

    public byte[] buffer() {
        return buf;
    }

    public int position() {
        return pos;
    }

    /** Bytes read and not consumed yet. */
    public int available() {
        return lim - pos;
    }

    public void advance(int n) {
        pos += n;
    }

    /** Gives the buffer {@code size} for a message body; bytes already read (pipelined) move along. */
    public void growTo(int size) {
        if (buf.length >= size) return;
        byte[] big = new byte[size];
        System.arraycopy(buf, pos, big, 0, lim - pos);
        lim -= pos;
        pos = 0;
        buf = big;
    }

    /** Back to the idle size once the body's bytes are all consumed (pipelined commands stay put otherwise). */
    public void shrinkWhenDrained() {
        if (pos == lim && buf.length > idleSize) {
            buf = new byte[idleSize];
            pos = lim = 0;
        }
    }
}
