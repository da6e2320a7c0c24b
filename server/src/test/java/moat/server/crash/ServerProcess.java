package moat.server.crash;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import moat.core.testing.ChildJvm;

/**
 * {@code moat serve} in a separate JVM: the java of the running JVM, the test classpath (server
 * classes and all dependencies), a small heap, output appended to one log file across restarts.
 * The harnesses that use it (crash, outbound crash, idle RSS) also share its port and config setup.
 */
public final class ServerProcess {
    private final Path workDir;
    private final Path config;
    private final Path log;
    private final int smtpPort;
    private Process process;

    public ServerProcess(Path workDir, Path config, Path log, int smtpPort) {
        this.workDir = workDir;
        this.config = config;
        this.log = log;
        this.smtpPort = smtpPort;
    }

    /**
     * Distinct free loopback ports, found once and reused across all restarts of the server. They
     * are taken below the kernel's ephemeral range (ip_local_port_range): a port from that range
     * can be handed to any outgoing connection on the host (the harness's own clients, the
     * server's outbound delivery) while the server is down after a {@code kill -9}, and then the
     * restart cannot bind it; no outgoing connection is ever given a port below the range.
     */
    public static int[] freePorts(int n) throws IOException {
        int low = 20_000;
        int high = ephemeralLow() - 1;
        java.util.Random random = new java.util.Random();
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0, tries = 0; i < n; tries++) {
                if (tries > 1000) throw new IOException("no free loopback port in " + low + "-" + high);
                int candidate = low + random.nextInt(high - low + 1);
                ServerSocket s = new ServerSocket();
                try {
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate), 1);
                } catch (IOException taken) {
                    s.close();
                    continue;
                }
                held.add(s); // held open until all are found, so no port comes out twice
                ports[i++] = candidate;
            }
            return ports;
        } finally {
            for (ServerSocket s : held) s.close();
        }
    }

    /** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > 21_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /**
     * The part of moat.toml every harness writes: host name, data directory, the three SMTP
     * ports on 127.0.0.1 (0: "off"), IMAP and POP3 off (nobody connects to them). Harnesses
     * append their own keys.
     */
    public static String baseConfig(Path data, int smtpPort, int submissionPort, int submissionsPort) {
        return """
                server.hostname = "mx.test.example"
                server.data_dir = "%s"
                listener.bind_address = ["127.0.0.1"]
                listener.smtp_port = %s
                listener.submission_port = %s
                listener.submissions_port = %s
                listener.pop3_port = "off"
                listener.pop3s_port = "off"
                listener.imap_port = "off"
                listener.imaps_port = "off"
                """.formatted(data.toAbsolutePath(), port(smtpPort), port(submissionPort), port(submissionsPort));
    }

    /** A port number, or "off" (no listener) for 0 or less. */
    private static String port(int port) {
        return port > 0 ? Integer.toString(port) : "\"off\"";
    }

    /**
     * Starts the server and waits (bounded) until the child itself listens on the SMTP port. Asking
     * the kernel who owns the listening socket, rather than connecting, keeps another process that
     * took the port first from passing for the server; the child then exits, and the IOException
     * carries its log ("Address already in use") so that a caller can retry on another port.
     */
    public void start(long readyTimeoutMillis) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) throw new IllegalStateException("server already running");
        List<String> cmd = ChildJvm.command(
                List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED"),
                "moat.server.Main", "--config", config.toString(), "serve");
        Files.writeString(log, "=== harness: starting server\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        process = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readyTimeoutMillis);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("server exited with " + process.exitValue() + " before it was ready; see " + log
                        + "\n" + tail());
            }
            if (listensOn(process.pid(), smtpPort)) return;
            Thread.sleep(25);
        }
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IOException("server not ready within " + readyTimeoutMillis + " ms; see " + log + "\n" + tail());
    }

    /**
     * Whether process {@code pid} holds a TCP socket listening on {@code port}: the socket inodes
     * among its file descriptors, matched against the LISTEN (state 0A) rows of its network
     * namespace's {@code /proc/<pid>/net/tcp} and {@code tcp6}. Linux only, as the harness is.
     */
    static boolean listensOn(long pid, int port) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while we listed: not the listening socket we wait for
                }
            }
        } catch (NoSuchFileException | java.nio.file.AccessDeniedException exited) {
            return false;
        }
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(file)) continue;
            for (String row : Files.readAllLines(file)) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                String[] f = row.strip().split("\\s+");
                if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A") && inodes.contains(f[9])) return true;
            }
        }
        return false;
    }

    /**
     * {@code kill -9}: {@link Process#destroyForcibly()} sends SIGKILL on Linux (no shutdown hook,
     * no close(), commits in flight). Returns the exit value, which is 137 for a SIGKILL.
     */
    int kill() throws InterruptedException {
        return ChildJvm.kill(process);
    }

    /** SIGTERM: the shutdown hook closes the store cleanly. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    /** The child's process id, e.g. to read {@code /proc/<pid>/status}. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
