package moat.server.content.clamd;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Talks to clamd: one connection per scan (INSTREAM ends the connection), under one deadline
 * covering connect, upload and reply. Blocking {@link SocketChannel} is used for both socket
 * kinds since a Unix-domain channel has no socket with SO_TIMEOUT; the deadline is a virtual
 * thread that closes the channel, which ends any blocked connect, write or read. Interrupting the
 * calling thread (the content stage does at content.timeout) closes it too.
 */
public final class ClamdClient {
    /** Chunk size: big enough that framing costs nothing, small enough to keep memory flat. */
    static final int CHUNK = 64 * 1024;

    private final ClamdAddress address;
    private final Duration timeout;

    public ClamdClient(ClamdAddress address, Duration timeout) {
        this.address = address;
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be > 0");
        this.timeout = timeout;
    }

    public ClamdAddress address() {
        return address;
    }

    /**
     * Streams at most {@code maxBytes} octets of {@code in} to clamd and returns its verdict.
     * {@link IOException}: clamd could not be reached or did not answer in time.
     */
    public Instream.Result scan(InputStream in, long maxBytes) throws IOException {
        return Instream.parse(exchange((ch, buf) -> {
            write(ch, Instream.COMMAND);
            long left = maxBytes;
            byte[] chunk = new byte[CHUNK];
            try {
                while (left > 0) {
                    int n = in.readNBytes(chunk, 0, (int) Math.min(CHUNK, left));
                    if (n <= 0) break;
                    write(ch, Instream.chunkHeader(n));
                    write(ch, ByteBuffer.wrap(chunk, 0, n));
                    left -= n;
                }
                write(ch, Instream.END);
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                // clamd stops reading once a stream passes its StreamMaxLength: it has written its
                // ERROR reply and closed; that reply says more than our broken pipe.
                Optional<String> said = readReply(ch, buf);
                if (said.isPresent() && !said.get().isBlank()) return said.get();
                throw e;
            }
            return readReply(ch, buf).orElse("");
        }));
    }

    /** clamd's VERSION answer (e.g. {@code ClamAV 1.4.6/27480/...}): the start-up probe. */
    public String version() throws IOException {
        return Instream.version(exchange((ch, buf) -> {
            write(ch, Instream.VERSION);
            return readReply(ch, buf).orElse("");
        }));
    }

    private interface Dialogue {
        String run(SocketChannel ch, byte[] buf) throws IOException;
    }

    private String exchange(Dialogue d) throws IOException {
        SocketChannel ch = switch (address) {
            case ClamdAddress.Unix u -> SocketChannel.open(StandardProtocolFamily.UNIX);
            case ClamdAddress.Tcp t -> SocketChannel.open();
        };
        AtomicBoolean expired = new AtomicBoolean();
        Thread deadline = Thread.ofVirtual().name("moat-clamd-deadline").start(() -> {
            try {
                Thread.sleep(timeout);
                expired.set(true);
                ch.close();
            } catch (InterruptedException | IOException e) {
                // finished in time (interrupted) or already closed
            }
        });
        try (ch) {
            ch.connect(address.socketAddress());
            return d.run(ch, new byte[Instream.MAX_REPLY]);
        } catch (IOException e) {
            if (expired.get()) throw new IOException("clamd at " + address + ": no answer within " + timeout, e);
            throw new IOException("clamd at " + address + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } finally {
            deadline.interrupt();
        }
    }

    private static void write(SocketChannel ch, byte[] b) throws IOException {
        write(ch, ByteBuffer.wrap(b));
    }

    private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Reads until the reply's NUL, clamd closing, or {@link Instream#MAX_REPLY} octets. */
    private static Optional<String> readReply(SocketChannel ch, byte[] buf) throws IOException {
        int len = 0;
        while (true) {
            int n;
            try {
                n = ch.read(ByteBuffer.wrap(buf, len, buf.length - len));
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                // reset after clamd's reply: keep what arrived
                if (len > 0) return Instream.frame(buf, len, true);
                throw e;
            }
            if (n < 0) return Instream.frame(buf, len, true);
            len += n;
            Optional<String> r = Instream.frame(buf, len, false);
            if (r.isPresent()) return r;
        }
    }
}
