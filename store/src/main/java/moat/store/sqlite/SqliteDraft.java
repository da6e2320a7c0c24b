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
 * the file real; a file without a row is an orphan that recovery deletes.
 */
final class SqliteDraft implements MailStore.Draft {
    private static final Logger log = LoggerFactory.getLogger(SqliteDraft.class);
    static final int BUFFER = 64 * 1024;

    enum State { OPEN, COMMITTING, COMMITTED, DISCARDED }

    final String id;
    final String relativePath;
    final Path path;
    final SqliteMailStore owner;
    private FileChannel channel;
    private CountingStream out;
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

    @Override
    public long size() {
        return out.count;
    }

    /**
     * Writes {@code prefix} and then the file so far into a sibling file {@code <name>.pre}
     * (FileChannel.transferTo: copy_file_range on Linux, no user-space copy) and renames it over
     * the draft. A crash in between leaves files without an index row: recovery deletes them.
     */
    @Override
    public void prepend(byte[] prefix) throws IOException {
        if (state.get() != State.OPEN) throw new IllegalStateException("draft " + id + " is " + state.get());
        out.flush();
        long written = out.count;
        Path tmp = path.resolveSibling(path.getFileName() + ".pre");
        FileChannel next = FileChannel.open(tmp, java.util.Set.of(java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE), DataDir.fileAttributes());
        try {
            ByteBuffer bb = ByteBuffer.wrap(prefix);
            while (bb.hasRemaining()) next.write(bb);
            long pos = 0;
            long size = channel.size();
            try (FileChannel old = FileChannel.open(path, java.nio.file.StandardOpenOption.READ)) {
                while (pos < size) {
                    long n = old.transferTo(pos, size - pos, next);
                    if (n <= 0) throw new IOException("short copy while prepending to " + path);
                    pos += n;
                }
            }
            Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Connections.quietClose(next);
            Files.deleteIfExists(tmp);
            throw e;
        }
        Connections.quietClose(channel);
        channel = next;
        out = new CountingStream(new BufferedOutputStream(new ChannelStream(channel), BUFFER));
        out.count = written + prefix.length;
    }

    @Override
    public java.io.InputStream readBack() throws IOException {
        if (state.get() != State.OPEN) throw new IllegalStateException("draft " + id + " is " + state.get());
        out.flush();
        return Files.newInputStream(path);
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
