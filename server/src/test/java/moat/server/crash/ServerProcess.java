package moat.server.crash;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code moat serve} in a separate JVM: the java of the running JVM, the test classpath (server
 * classes and all dependencies), a small heap, output appended to one log file across restarts.
 */
public final class ServerProcess {
    /** What {@link Process#exitValue()} reports on Linux for a process ended by signal 9 (128 + 9). */
    static final int SIGKILL_EXIT = 137;

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

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Under surefire java.class.path may be just the manifest-only booter jar; this is the real path. */
    static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /**
     * Starts the server and waits (bounded) until the child itself listens on the SMTP port. Asking
     * the kernel who owns the listening socket, rather than connecting, keeps another process that
     * took the port first from passing for the server; the child then exits, and the IOException
     * carries its log ("Address already in use") so that a caller can retry on another port.
     */
    public void start(long readyTimeoutMillis) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) throw new IllegalStateException("server already running");
        List<String> cmd = new ArrayList<>(List.of(javaBinary(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath(), "moat.server.Main", "--config", config.toString(), "serve"));
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
        process.destroyForcibly();
        if (!process.waitFor(15, TimeUnit.SECONDS)) throw new IllegalStateException("server survived SIGKILL");
        return process.exitValue();
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
