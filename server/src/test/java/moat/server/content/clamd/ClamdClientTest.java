package moat.server.content.clamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The client's socket side against a loopback peer that behaves as clamd must not: garbage,
 * silence, a closed socket, nobody listening. Each ends in a failure the content stage turns into
 * content.on_error, never a hang or a verdict. The real clamd is in ClamdInteropTest.
 */
class ClamdClientTest {

    @Test
    void uploadsChunksAndReadsTheVerdict() throws Exception {
        byte[] message = new byte[ClamdClient.CHUNK * 2 + 17];
        java.util.Arrays.fill(message, (byte) 'm');
        try (ServerSocket ss = listen()) {
            CompletableFuture<byte[]> seen = CompletableFuture.supplyAsync(() -> serve(ss, in -> {
                byte[] cmd = in.readNBytes(Instream.COMMAND.length);
                assertThat(cmd).isEqualTo(Instream.COMMAND);
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                DataInputStream d = new DataInputStream(in);
                for (int n = d.readInt(); n != 0; n = d.readInt()) got.write(d.readNBytes(n));
                return got.toByteArray();
            }, "stream: Test.Sig FOUND\0"));
            Instream.Result r = client(ss, Duration.ofSeconds(10)).scan(new ByteArrayInputStream(message), message.length - 17);
            assertThat(r).isEqualTo(new Instream.Result.Found("Test.Sig"));
            assertThat(seen.get()).as("bounded by maxBytes").hasSize(message.length - 17);
        }
    }

    @Test
    void garbageIsAFailureNotAVerdict() throws Exception {
        try (ServerSocket ss = listen()) {
            CompletableFuture.runAsync(() -> serve(ss, ClamdClientTest::drain, "\u0007\u00ffHELLO garbage\r\n"));
            assertThat(client(ss, Duration.ofSeconds(10)).scan(new ByteArrayInputStream(new byte[100]), 100))
                    .isEqualTo(new Instream.Result.Failed("unexpected reply: ??HELLO garbage"));
        }
    }

    @Test
    void aPeerThatClosesWithoutAnsweringIsAFailure() throws Exception {
        try (ServerSocket ss = listen()) {
            CompletableFuture.runAsync(() -> serve(ss, ClamdClientTest::drain, ""));
            assertThat(client(ss, Duration.ofSeconds(10)).scan(new ByteArrayInputStream(new byte[100]), 100))
                    .isEqualTo(new Instream.Result.Failed("no reply (connection closed)"));
        }
    }

    @Test
    void aSilentPeerRunsIntoTheTimeout() throws Exception {
        try (ServerSocket ss = listen()) {
            CompletableFuture<Void> peer = new CompletableFuture<>();
            CompletableFuture.runAsync(() -> serve(ss, in -> {
                drain(in);
                peer.join(); // holds the connection open, answering nothing
                return null;
            }, ""));
            try {
                assertThatThrownBy(() -> client(ss, Duration.ofSeconds(1)).scan(new ByteArrayInputStream(new byte[10]), 10))
                        .isInstanceOf(IOException.class).hasMessageContaining("no answer within PT1S");
            } finally {
                peer.complete(null);
            }
        }
    }

    @Test
    void nobodyListeningIsAnIoFailureNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket ss = listen()) {
            port = ss.getLocalPort();
        }
        ClamdClient c = new ClamdClient(new ClamdAddress.Tcp("127.0.0.1", port), Duration.ofSeconds(10));
        assertThatThrownBy(() -> c.scan(new ByteArrayInputStream(new byte[10]), 10)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("clamd at tcp:127.0.0.1:" + port + ": ");
        ClamdClient u = new ClamdClient(new ClamdAddress.Unix(java.nio.file.Path.of("/nonexistent/clamd.sock")),
                Duration.ofSeconds(10));
        assertThatThrownBy(u::version).isInstanceOf(IOException.class).hasMessageStartingWith("clamd at unix:/nonexistent/clamd.sock: ");
    }

    private interface Reader {
        Object read(InputStream in) throws IOException;
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    }

    private static ClamdClient client(ServerSocket ss, Duration timeout) {
        return new ClamdClient(new ClamdAddress.Tcp("127.0.0.1", ss.getLocalPort()), timeout);
    }

    /** Accepts one connection, lets {@code reader} consume the request, writes {@code reply}, closes. */
    @SuppressWarnings("unchecked")
    private static <T> T serve(ServerSocket ss, Reader reader, String reply) {
        try (Socket s = ss.accept()) {
            Object seen = reader.read(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return (T) seen;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads the command and the chunks up to the terminating zero length. */
    private static Object drain(InputStream in) throws IOException {
        in.readNBytes(Instream.COMMAND.length);
        DataInputStream d = new DataInputStream(in);
        for (int n = d.readInt(); n != 0; n = d.readInt()) d.readNBytes(n);
        return null;
    }
}
