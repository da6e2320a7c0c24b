package moat.server.mailauth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import moat.protocol.smtp.SmtpHandler;
import moat.store.MailStore;

/**
 * The DATA stream into the store draft, in two stages: the header section is held in memory
 * (bounded by smtp.max_header_size, which the DATA decoder enforces before we see the bytes)
 * until the empty line that ends it, so a {@link Treatment} can read and filter it; then the body
 * streams to the draft and to the treatment (DKIM hashing) chunk by chunk, never held whole.
 * A disk error is remembered instead of thrown into the socket loop: the reply becomes 451.
 */
public final class StagedSink implements SmtpHandler.MessageSink {
    private final MailStore.Draft draft;
    private final Treatment treatment;
    private final int maxHeader;
    private final ByteArrayOutputStream header = new ByteArrayOutputStream();
    private boolean inHeader = true;
    /** Last bytes seen in the header, to find CRLF CRLF across chunk boundaries. */
    private int tail;
    private int headerWritten = -1;
    /** The header section as written to the draft (for the content checks). */
    private byte[] writtenHeader = new byte[0];
    private IOException failed;
    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (failed != null) return;
            try {
                accept(b, off, len);
            } catch (IOException e) {
                failed = e;
            }
        }
    };

    StagedSink(MailStore.Draft draft, Treatment treatment, int maxHeader) {
        this.draft = draft;
        this.treatment = treatment;
        this.maxHeader = maxHeader;
    }

    private void accept(byte[] b, int off, int len) throws IOException {
        int i = off;
        int end = off + len;
        if (inHeader) {
            // The header ends at CRLF CRLF, or at a CRLF that is the very first line (no fields).
            while (i < end) {
                byte c = b[i++];
                header.write(c);
                tail = (tail << 8) | (c & 0xff);
                boolean first = header.size() == 2 && (tail & 0xffff) == 0x0d0a;
                if (tail == 0x0d0a0d0a || first) {
                    endHeader();
                    break;
                }
                if (header.size() > maxHeader + 4) throw new IOException("header section over the DATA decoder's bound");
            }
        }
        if (i < end) {
            draft.out().write(b, i, end - i);
            treatment.body(b, i, end - i);
        }
    }

    private void endHeader() throws IOException {
        inHeader = false;
        byte[] toWrite = treatment.headers(header.toByteArray());
        header.reset();
        draft.out().write(toWrite);
        headerWritten = toWrite.length;
        writtenHeader = toWrite;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    /** The first I/O error, if any: then the message must not be stored. */
    public IOException failure() {
        return failed;
    }

    public MailStore.Draft draft() {
        return draft;
    }

    /**
     * End of data: a message that has no empty line is all header; then the treatment decides.
     */
    public Ending finish() throws IOException {
        if (failed != null) throw failed;
        if (inHeader) endHeader();
        return treatment.end(this);
    }

    /** The header section as written to the draft (with the empty line that ends it, if any). */
    public byte[] writtenHeader() {
        return writtenHeader;
    }

    /** The body as written to the draft (after the header section the treatment wrote). */
    InputStream body() throws IOException {
        InputStream in = draft.readBack();
        in.skipNBytes(headerWritten);
        return in;
    }

    @Override
    public void discard() {
        draft.discard();
    }
}
