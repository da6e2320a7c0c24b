package moat.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or broken input over raw sockets never takes a listener down: after each abuse a normal
 * client still completes a full transaction on the same server. Every loop is bounded in count
 * and time; the random input has a fixed seed so a failure can be replayed.
 */
@Tag("interop")
class RobustnessTest {
    static final Duration READ_LIMIT = Duration.ofSeconds(15);

    @TempDir
    Path tmp;

    TestServer server;
    final AtomicInteger normal = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        // This class floods the listeners on purpose to show they survive; the connection limits
        // (tested in moat.server.limits) would refuse the flood before it reached them.
        server = TestServer.start(tmp, "limits.connection_rate = 100000", "limits.max_connections_per_ip = 1000");
        assertNormalTransactionWorks(Listener.MX);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void binaryGarbageWithNulsOnMx() throws Exception {
        byte[] garbage = new byte[64 * 1024];
        new Random(20251125L).nextBytes(garbage);
        for (int i = 0; i < garbage.length; i += 997) garbage[i] = 0;
        Outcome o = abuse(Listener.MX, garbage);
        // random lines are syntax errors: the server gives up after smtp.max_errors and closes
        assertThat(o.closedByServer()).as("server closes a session of garbage: %s", o).isTrue();
        assertThat(o.replies()).as("%s", o).startsWith("220 ").contains("\r\n500 ");
        assertNormalTransactionWorks(Listener.MX);
        assertNormalTransactionWorks(Listener.SUBMISSIONS);
    }

    @Test
    void oneMegabyteLineWithoutLf() throws Exception {
        byte[] line = new byte[1024 * 1024];
        Arrays.fill(line, (byte) 'A');
        System.arraycopy("EHLO ".getBytes(StandardCharsets.US_ASCII), 0, line, 0, 5);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port(Listener.MX)), 5000);
            s.setSoTimeout((int) READ_LIMIT.toMillis());
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            assertThat(readReply(in)).startsWith("220 ");
            for (int off = 0; off < line.length; off += 8192) out.write(line, off, 8192);
            out.flush();
            // Moat discards the excess up to smtp.max_command_line (2048) without buffering it, and
            // answers once the line ends; the session then goes on.
            out.write("\r\nNOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readReply(in)).isEqualTo("500 5.5.6 Line too long");
            assertThat(readReply(in)).startsWith("250 ");
        }
        assertNormalTransactionWorks(Listener.MX);
    }

    @Test
    void disconnectInTheMiddleOfData() throws Exception {
        int clientPort;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port(Listener.MX)), 5000);
            s.setSoTimeout((int) READ_LIMIT.toMillis());
            clientPort = s.getLocalPort();
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            assertThat(readReply(in)).startsWith("220 ");
            for (String[] step : new String[][] {{"EHLO client.example", "250 "}, {"MAIL FROM:<a@remote.example>", "250 "},
                    {"RCPT TO:<bob@example.org>", "250 "}, {"DATA", "354 "}}) {
                out.write((step[0] + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(readReply(in)).as(step[0]).startsWith(step[1]);
            }
            byte[] half = new byte[200 * 1024];
            Arrays.fill(half, (byte) 'x');
            for (int i = 76; i < half.length; i += 78) { half[i] = '\r'; half[i + 1] = '\n'; }
            out.write("Subject: half-sent\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(half);
            out.flush();
            s.setSoLinger(true, 0); // abortive close (RST), like a client that crashed
        }
        JsonNode end = Peers.awaitEvent(server, e -> e.path("client_port").asInt() == clientPort
                && List.of("smtp.disconnect", "smtp.transaction").contains(e.path("event").asText()),
                "smtp.disconnect/transaction for client port " + clientPort);
        assertThat(end.has("queue_id")).as("%s", end).isFalse();
        assertThat(server.inbox("bob@example.org")).noneMatch(b -> b.contains("half-sent"));
        assertThat(server.store().outbound()).isEmpty();
        assertNormalTransactionWorks(Listener.MX);
    }

    @Test
    void tlsHandshakeGarbageOnImplicitTlsPort() throws Exception {
        byte[] garbage = new byte[16 * 1024];
        new Random(465L).nextBytes(garbage);
        garbage[0] = 0x16; // looks like a handshake record at first glance
        garbage[1] = 0x03;
        garbage[2] = 0x01;
        Outcome o = abuse(Listener.SUBMISSIONS, garbage);
        assertThat(o.closedByServer()).as("server drops a broken handshake: %s", o).isTrue();
        assertThat(o.replies()).as("no SMTP greeting before TLS: %s", o).doesNotContain("220 ");
        Outcome zeros = abuse(Listener.SUBMISSIONS, new byte[4096]);
        assertThat(zeros.closedByServer()).as("%s", zeros).isTrue();
        assertNormalTransactionWorks(Listener.SUBMISSIONS);
        assertNormalTransactionWorks(Listener.MX);
    }

    @Test
    void tls11ClientHelloIsRefused() throws Exception {
        String openssl = Peers.require("openssl", "openssl");
        String subs = "127.0.0.1:" + server.port(Listener.SUBMISSIONS);
        String sub = "127.0.0.1:" + server.port(Listener.SUBMISSION);
        // Debian's openssl.cnf sets SECLEVEL=2, which stops the client from even offering TLS 1.1:
        // SECLEVEL=0 makes s_client really send a TLS 1.1-only ClientHello.
        for (List<String> target : List.of(List.of("-connect", subs), List.of("-connect", sub, "-starttls", "smtp"))) {
            for (String old : List.of("-tls1_1", "-tls1")) {
                List<String> cmd = new ArrayList<>(List.of(openssl, "s_client", old, "-cipher", "DEFAULT@SECLEVEL=0",
                        "-servername", "mx.test.example"));
                cmd.addAll(target);
                Peers.Result r = Peers.run(tmp, Duration.ofSeconds(30), "", cmd);
                assertThat(r.exit()).as(r.describe()).isNotZero();
                assertThat(r.output()).as("the ClientHello was sent and refused by the server: " + r.describe())
                        .doesNotContain("no protocols available").doesNotContainPattern("Cipher is (?!\\(NONE\\))")
                        .containsPattern("alert protocol version|unsupported protocol|wrong version number|handshake failure");
            }
            // control: the same client with TLS 1.2 completes the handshake, so the refusals above are the server's
            List<String> ok = new ArrayList<>(List.of(openssl, "s_client", "-tls1_2", "-servername", "mx.test.example",
                    "-CAfile", server.certificate().toString(), "-verify_hostname", "mx.test.example", "-verify_return_error"));
            ok.addAll(target);
            Peers.Result r = Peers.run(tmp, Duration.ofSeconds(30), "QUIT\r\n", ok);
            assertThat(r.output()).as(r.describe()).contains("Protocol  : TLSv1.2").contains("Verify return code: 0 (ok)");
        }
        assertNormalTransactionWorks(Listener.SUBMISSIONS);
        assertNormalTransactionWorks(Listener.SUBMISSION);
    }

    @Test
    void twoHundredConcurrentConnectAndClose() throws Exception {
        int n = 200;
        List<Socket> sockets = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            List<Future<Socket>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Listener l = Listener.values()[i % Listener.values().length];
                futures.add(pool.submit(() -> {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", server.port(l)), 5000);
                    return s;
                }));
            }
            for (Future<Socket> f : futures) sockets.add(f.get(30, TimeUnit.SECONDS));
            assertThat(sockets).hasSize(n); // all 200 open at the same time
            List<Future<?>> closes = new ArrayList<>();
            for (Socket s : sockets) closes.add(pool.submit(() -> { s.close(); return null; }));
            for (Future<?> f : closes) f.get(30, TimeUnit.SECONDS);
        }
        for (Listener l : Listener.values()) assertNormalTransactionWorks(l);
    }

    // ---------------------------------------------------------------- helpers

    record Outcome(String replies, boolean closedByServer, String writeError) {}

    /** Sends the bytes (a write error means the server already hung up), then reads until EOF or 15 s. */
    Outcome abuse(Listener listener, byte[] bytes) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port(listener)), 5000);
            s.setSoTimeout((int) READ_LIMIT.toMillis());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            // read concurrently so a server that answers every line cannot deadlock our writes
            Thread reader = Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[8192];
                try {
                    int k;
                    while ((k = in.read(buf)) != -1) {
                        synchronized (got) {
                            got.write(buf, 0, k);
                        }
                    }
                    synchronized (got) {
                        got.writeBytes("<EOF>".getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (SocketTimeoutException e) {
                    synchronized (got) {
                        got.writeBytes("<TIMEOUT>".getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (IOException e) {
                    synchronized (got) {
                        got.writeBytes(("<EOF:" + e.getMessage() + ">").getBytes(StandardCharsets.US_ASCII));
                    }
                }
            });
            String writeError = null;
            if (listener != Listener.SUBMISSIONS) {
                // Plaintext ports: wait for the greeting, since garbage sent before it is refused
                // as early talking (moat.server.limits) and would never reach the parser.
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (System.nanoTime() < deadline) {
                    synchronized (got) {
                        if (got.toString(StandardCharsets.ISO_8859_1).contains("\r\n")) break;
                    }
                    Thread.sleep(10);
                }
            }
            try {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < bytes.length; off += 4096) {
                    out.write(bytes, off, Math.min(4096, bytes.length - off));
                }
                out.flush();
            } catch (IOException e) {
                writeError = String.valueOf(e.getMessage());
            }
            assertThat(reader.join(READ_LIMIT.plusSeconds(5))).as("reader finished").isTrue();
            String text;
            synchronized (got) {
                text = got.toString(StandardCharsets.ISO_8859_1);
            }
            boolean closed = text.contains("<EOF");
            return new Outcome(text, closed, writeError);
        }
    }

    static String readReply(InputStream in) throws IOException {
        while (true) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') line.write(c);
            String l = line.toString(StandardCharsets.UTF_8).strip();
            if (c == -1 || l.length() < 4 || l.charAt(3) != '-') return l; // the last line of the reply
        }
    }

    /** A complete transaction on the listener, then the message is in bob's INBOX. */
    void assertNormalTransactionWorks(Listener listener) throws Exception {
        String subject = "normal-" + listener.name().toLowerCase() + "-" + normal.incrementAndGet();
        try (SmtpClient c = new SmtpClient("127.0.0.1", server.port(listener))) {
            if (listener == Listener.SUBMISSIONS) c.startTls();
            assertThat(c.reply().getLast()).startsWith("220 ");
            assertThat(c.cmd("EHLO client.example")).startsWith("250 ");
            if (listener == Listener.SUBMISSION) {
                assertThat(c.cmd("STARTTLS")).startsWith("220 ");
                c.startTls();
                assertThat(c.cmd("EHLO client.example")).startsWith("250 ");
            }
            if (listener != Listener.MX) {
                String token = Base64.getEncoder().encodeToString(("\0alice@example.org\0" + TestServer.ALICE_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8));
                assertThat(c.cmd("AUTH PLAIN " + token)).startsWith("235 ");
            }
            String from = listener == Listener.MX ? "someone@remote.example" : "alice@example.org";
            assertThat(c.cmd("MAIL FROM:<" + from + ">")).startsWith("250 ");
            assertThat(c.cmd("RCPT TO:<bob@example.org>")).startsWith("250 ");
            assertThat(c.cmd("DATA")).startsWith("354 ");
            assertThat(c.cmd("Subject: " + subject + "\r\n\r\nstill alive\r\n.")).startsWith("250 2.0.0 Ok: queued as");
            assertThat(c.cmd("QUIT")).startsWith("221 ");
        }
        assertThat(server.inbox("bob@example.org")).anyMatch(b -> b.contains("Subject: " + subject + "\r\n"));
    }
}
