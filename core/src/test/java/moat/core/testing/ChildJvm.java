package moat.core.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM on the test class path, for the {@code kill -9} harnesses: the parent must survive
 * the crash it causes, so the code under test runs in a child process.
 */
public final class ChildJvm {
    /** What {@link Process#exitValue()} reports on Linux for a process ended by signal 9 (128 + 9). */
    public static final int SIGKILL_EXIT = 137;

    private ChildJvm() {}

    /** The java of the running JVM. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Under surefire java.class.path may be just the manifest-only booter jar; this is the real path. */
    public static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** {@code java [jvmOptions] -cp <test class path> mainClass args...}. */
    public static List<String> command(List<String> jvmOptions, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath(), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * {@code kill -9}: {@link Process#destroyForcibly()} sends SIGKILL on Linux (no shutdown hook,
     * no close(), commits in flight). Returns the exit value, {@link #SIGKILL_EXIT} for a SIGKILL.
     */
    public static int kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(15, TimeUnit.SECONDS)) throw new IllegalStateException("child survived SIGKILL");
        return process.exitValue();
    }
}
