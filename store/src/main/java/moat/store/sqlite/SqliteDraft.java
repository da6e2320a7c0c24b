package moat.store.sqlite;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import moat.store.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A body file being written straight into its final place {@code messages/xx/<id>}: there is no
 * rename step because the {@code bodies} row, committed after the file's fsync, is what makes
 * the file real; a file without a row is an orphan that recovery deletes. Header fields known only
 * at the end (Received, Authentication-Results, DKIM-Signature) go into that row as the prefix.
 */
final class SqliteDraft implements MailStore.Draft {
    private static final Logger log = LoggerFactory.getLogger(SqliteDraft.class);
    static final int BUFFER = 64 * 1024;

    enum State { OPEN, COMMITTING, COMMITTED, DISCARDED }

    final String id;
    final String relativePath;
    final Path path;
    final SqliteMailStore owner;
    private final FileChannel channel;
    private final CountingStream out;
    /** Trace fields to go in front of the file's content (stored in the index row). */
    private volatile byte[] prefix = new byte[0];
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);

    SqliteDraft(SqliteMailStore owner, String id, String relativePath, Path path, FileChannel channel) {
        this.owner = owner;
        this.id = id;
        this.relativePath = relativePath;
        this.path = path;
        this.channel = channel;
        this.out = new CountingStream(new BufferedOutputStream(new ChannelStream(channel), BUFFER));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    /** The whole message: the prefix plus what the file holds. */
    @Override
    public long size() {
        return prefix.length + out.count;
    }

    /**
     * Keeps {@code prefix} (before any earlier one) to be stored in the message's {@code bodies}
     * row, committed in the same transaction as the row itself; readers put it back in front of
     * the file ({@link StoredBody}). No copy of the file, no second file, no rename:
     * docs/adr/0020-trace-prefix-in-the-index-row.md.
     */
    @Override
    public void prepend(byte[] prefix) throws IOException {
        if (state.get() != State.OPEN) throw new IllegalStateException("draft " + id + " is " + state.get());
        byte[] joined = java.util.Arrays.copyOf(prefix, prefix.length + this.prefix.length);
        System.arraycopy(this.prefix, 0, joined, prefix.length, this.prefix.length);
        this.prefix = joined;
    }

    /** What {@link #prepend} collected (empty: none); the committer stores it with the row. */
    byte[] prefix() {
        return prefix;
    }

    @Override
    public java.io.InputStream readBack() throws IOException {
        if (state.get() != State.OPEN) throw new IllegalStateException("draft " + id + " is " + state.get());
        out.flush();
        return StoredBody.open(path, prefix);
    }

    /** OPEN -> COMMITTING; flushes the buffer. Called by the session thread before it enqueues. */
    void prepareCommit() throws IOException {
        if (!state.compareAndSet(State.OPEN, State.COMMITTING))
            throw new IllegalStateException("draft " + id + " is " + state.get() + ", not open");
        try {
            out.close(); // flushes; the channel stays open for force()
        } catch (IOException e) {
            state.set(State.OPEN);
            throw e;
        }
    }

    /** The committing session thread: the data and metadata of the file on stable storage, then release the handle. */
    void force() throws IOException {
        try {
            channel.force(true);
        } finally {
            channel.close();
        }
    }

    void committed() {
        state.set(State.COMMITTED);
    }

    /** The commit failed: the caller may now discard. */
    void failed() {
        state.compareAndSet(State.COMMITTING, State.OPEN);
    }

    @Override
    public void discard() {
        State s = state.get();
        // After a commit the file belongs to the index; while a commit is in flight it is not ours either.
        if (s == State.COMMITTED || s == State.COMMITTING || s == State.DISCARDED) return;
        if (!state.compareAndSet(s, State.DISCARDED)) return;
        Connections.quietClose(channel);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("could not delete discarded body {}: {} (recovery will)", path, e.toString());
        }
    }

    /** Counts what the caller wrote, before buffering. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream inner;
        volatile long count;

        CountingStream(OutputStream inner) {
            this.inner = inner;
        }

        @Override
        public void write(int b) throws IOException {
            inner.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            inner.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    /** Writes to the channel without closing it when the buffered stream is closed. */
    private static final class ChannelStream extends OutputStream {
        private final FileChannel channel;
        private boolean closed;

        ChannelStream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) throw new IOException("draft stream closed");
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) channel.write(bb);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
