package moat.server.crash;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** Starts the server and waits (bounded) until the SMTP port accepts a connection. */
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
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", smtpPort), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(25);
            }
        }
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IOException("server not ready within " + readyTimeoutMillis + " ms; see " + log + "\n" + tail());
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
