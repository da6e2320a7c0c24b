package moat.server.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import moat.server.testing.TestServer;

/** Runs real Debian clients as child processes, bounded in time; finds audit events. */
final class Peers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Peers() {
    }

    record Result(int exit, String output, List<String> command) {
        String describe() {
            return "command " + command + " exited " + exit + ", output:\n" + output;
        }
    }

    /**
     * The absolute path of a tool on PATH or in /usr/sbin. A missing tool is a failure, not a skip:
     * CI installs the peers, and a silently skipped interop test proves nothing.
     */
    static String require(String tool, String debianPackage) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p.toString();
        }
        return fail("interop peer '%s' is not installed: apt-get install -y %s", tool, debianPackage);
    }

    /**
     * swaks with TLS. Without the Perl module Net::SSLeay swaks runs but answers {@code --tls} with
     * "TLS not available"; checked here, at start, so the failure names the package to install.
     */
    static String requireSwaksWithTls() {
        String swaks = require("swaks", "swaks");
        String support = probe(List.of(swaks, "--support"));
        if (!support.lines().anyMatch(l -> l.strip().equals("=== TLS supported"))) {
            return fail("swaks has no TLS support: apt-get install -y libnet-ssleay-perl; swaks --support said:%n%s", support);
        }
        return swaks;
    }

    /** curl built with the given protocols (from {@code curl --version}), e.g. smtps, imaps, pop3s. */
    static String requireCurlWith(String... protocols) {
        String curl = require("curl", "curl");
        String version = probe(List.of(curl, "--version"));
        List<String> have = version.lines().filter(l -> l.startsWith("Protocols:"))
                .flatMap(l -> List.of(l.substring("Protocols:".length()).strip().split("\\s+")).stream()).toList();
        for (String p : protocols) {
            if (!have.contains(p)) return fail("curl lacks protocol %s (has %s): install Debian's curl", p, have);
        }
        return curl;
    }

    /** Output of a short capability query (stdout and stderr); a hang or a start failure fails the test. */
    private static String probe(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return fail("%s did not finish within 30 s", command);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return fail("%s could not run: %s", command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted running %s", command);
        }
    }

    /** Runs a command with stdin from a string (may be empty), stdout+stderr merged; killed after the timeout. */
    static Result run(Path workDir, Duration timeout, String stdin, List<String> command) throws Exception {
        Path out = Files.createTempFile(workDir, "peer", ".out");
        Path in = Files.createTempFile(workDir, "peer", ".in");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(in.toFile());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return fail("%s did not finish within %s; output so far:%n%s", command, timeout,
                    Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), List.copyOf(command));
    }

    static Result run(Path workDir, List<String> command) throws Exception {
        return run(workDir, Duration.ofSeconds(60), "", command);
    }

    static List<JsonNode> audit(TestServer server) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : server.auditLines()) {
            if (!line.isBlank()) events.add(JSON.readTree(line));
        }
        return events;
    }

    /** Polls the audit log (bounded) for an event matching the predicate. */
    static JsonNode awaitEvent(TestServer server, Predicate<JsonNode> match, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Optional<JsonNode> hit = audit(server).stream().filter(match).findFirst();
            if (hit.isPresent()) return hit.get();
            if (System.nanoTime() > deadline) {
                return fail("no audit event %s within 10 s; audit log:%n%s", what, String.join("\n", server.auditLines()));
            }
            Thread.sleep(50);
        }
    }

    /** The smtp.transaction event for the message whose queue id is stored for {@code subject}. */
    static JsonNode transaction(TestServer server, String queueId) throws Exception {
        return awaitEvent(server, e -> "smtp.transaction".equals(e.path("event").asText())
                && queueId.equals(e.path("queue_id").asText()), "smtp.transaction with queue_id " + queueId);
    }

    static void assertTlsAuthTransaction(JsonNode tx, String listener, String authUser) {
        assertThat(tx.path("listener").asText()).as("listener in %s", tx).isEqualTo(listener);
        assertThat(tx.path("code").asInt()).as("code in %s", tx).isEqualTo(250);
        assertThat(tx.path("tls_version").asText()).as("tls_version in %s", tx).isIn("TLSv1.2", "TLSv1.3");
        assertThat(tx.path("tls_cipher").asText()).as("tls_cipher in %s", tx).isNotEmpty();
        if (authUser == null) {
            assertThat(tx.has("auth_user")).as("no auth_user in %s", tx).isFalse();
        } else {
            assertThat(tx.path("auth_user").asText()).as("auth_user in %s", tx).isEqualTo(authUser);
        }
        assertThat(tx.path("queue_id").asText()).as("queue_id in %s", tx).isNotEmpty();
    }
}
