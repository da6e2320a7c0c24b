package moat.server.content.clamd;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real clamd (Debian's clamav-daemon) for tests: its own config, socket and signature database
 * in a temp dir, in the foreground as a child of the test JVM. The machine cannot download
 * signatures, so the database holds only two written here: a body signature (.ndb) for the EICAR
 * test string and a whole-file MD5 (.hdb) for {@link #PAYLOAD}. The system clamav services are
 * neither used nor needed.
 */
final class ClamdDaemon implements AutoCloseable {
    /** The EICAR anti-virus test file (assembled so this source is not itself a detection). */
    static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    /** A harmless binary that the .hdb names by its MD5 and size, as a "virus" found only after decoding. */
    static final byte[] PAYLOAD = payload();
    static final String EICAR_NAME = "Moat.Test.EICAR.UNOFFICIAL";
    static final String PAYLOAD_NAME = "Moat.Test.Payload.UNOFFICIAL";
    /** clamd's StreamMaxLength here: small, so the tests can pass it cheaply. */
    static final long STREAM_MAX = 1024 * 1024;

    private final Path dir;
    private final Path socket;
    private final int tcpPort;
    private Process process;

    private ClamdDaemon(Path dir, Path socket, int tcpPort) {
        this.dir = dir;
        this.socket = socket;
        this.tcpPort = tcpPort;
    }

    /** Starts clamd in {@code dir} and waits (bounded) until it answers VERSION. Fails the test if clamd is not installed. */
    static ClamdDaemon start(Path dir) throws Exception {
        Path db = Files.createDirectories(dir.resolve("db"));
        Files.writeString(db.resolve("moat.ndb"), "Moat.Test.EICAR:0:*:"
                + HexFormat.of().formatHex(EICAR.getBytes(StandardCharsets.US_ASCII)) + "\n");
        Files.writeString(db.resolve("moat.hdb"), HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(PAYLOAD))
                + ":" + PAYLOAD.length + ":Moat.Test.Payload\n");
        int port;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
        }
        // Unix socket paths are limited to 107 octets; the temp dir may be deep.
        Path socket = Files.createTempDirectory("moat-clamd").resolve("clamd.sock");
        Files.writeString(dir.resolve("clamd.conf"), String.join("\n",
                "Foreground yes",
                "LocalSocket " + socket,
                "TCPSocket " + port,
                "TCPAddr 127.0.0.1",
                "DatabaseDirectory " + db,
                "TemporaryDirectory " + Files.createDirectories(dir.resolve("tmp")),
                "LogFile " + dir.resolve("clamd.log"),
                "ScanMail yes",
                "ScanArchive yes",
                "StreamMaxLength " + STREAM_MAX,
                "") );
        ClamdDaemon d = new ClamdDaemon(dir, socket, port);
        d.launch();
        return d;
    }

    private static Path executable() {
        for (String p : List.of("/usr/sbin/clamd", "/usr/bin/clamd", "/usr/local/sbin/clamd")) {
            if (Files.isExecutable(Path.of(p))) return Path.of(p);
        }
        return fail("clamd is not installed: this test needs a real ClamAV daemon "
                + "(Debian: apt-get install clamav-daemon; .ci/run installs it)");
    }

    /** (Re)starts the process on the same config and waits until it answers. */
    void launch() throws Exception {
        Files.deleteIfExists(socket);
        process = new ProcessBuilder(executable().toString(), "--config-file=" + dir.resolve("clamd.conf"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("clamd.out").toFile()).start();
        // A test JVM that is killed (surefire timeout) must not leave clamd behind.
        Process p = process;
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        ClamdClient probe = new ClamdClient(unixAddress(), Duration.ofSeconds(5));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                probe.version();
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) fail("clamd exited with " + process.exitValue() + ":\n" + log());
                if (System.nanoTime() > deadline) fail("clamd did not answer within 120 s:\n" + log());
                Thread.sleep(100); // poll interval while clamd loads its database
            }
        }
    }

    /** Stops clamd (SIGTERM), waiting for it to exit. */
    void stop() throws Exception {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    String unix() {
        return "unix:" + socket;
    }

    String tcp() {
        return "tcp:127.0.0.1:" + tcpPort;
    }

    ClamdAddress unixAddress() {
        return new ClamdAddress.Unix(socket);
    }

    String log() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("clamd.out", "clamd.log")) {
            Path p = dir.resolve(f);
            if (Files.exists(p)) sb.append(Files.readString(p, StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    @Override
    public void close() throws Exception {
        stop();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(socket.getParent());
    }

    private static byte[] payload() {
        byte[] b = new byte[4096];
        java.util.Random r = new java.util.Random(12);
        r.nextBytes(b);
        byte[] tag = "moat antivirus test payload, harmless".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, b, 0, tag.length);
        return b;
    }
}
