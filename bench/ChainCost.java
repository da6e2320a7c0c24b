// Per-line cost of the audit log's hash chain (docs/adr/0027): a bounded loop, not a benchmark
// harness. Prints ns per line for the SHA-256 chaining alone, for an Ed25519 checkpoint
// signature, and for a whole line written through the plain and the chained file sink.
// Run with the server's test classpath after `mvn -pl server -am test-compile`, e.g.:
//   java -cp server/target/classes:core/target/classes:protocol/target/classes:<jackson-databind, -core, -annotations jars> bench/ChainCost.java
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import moat.core.Event;
import moat.server.audit.AuditChain;
import moat.server.audit.AuditKey;
import moat.server.audit.ChainedFileSink;
import moat.server.audit.JsonLinesSink;

public class ChainCost {
    static final int LINES = 200_000;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("chaincost");
        // a typical smtp.transaction-sized line, ~450 bytes
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("session", "Mx1a2b3c"); f.put("listener", "mx"); f.put("client_ip", "192.0.2.7"); f.put("client_port", 40000);
        f.put("helo", "mail.example.net"); f.put("tls_version", "TLSv1.3"); f.put("tls_cipher", "TLS_AES_256_GCM_SHA384");
        f.put("mail_from", "someone@example.net"); f.put("rcpts", java.util.List.of(Map.of("address", "alice@example.org", "code", 250)));
        f.put("size", 12345); f.put("queue_id", "01JEXAMPLEQUEUEID0000"); f.put("code", 250); f.put("status", "2.0.0");
        f.put("spf", "pass"); f.put("dkim", "pass"); f.put("dmarc", "pass");
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(f);
        for (int round = 0; round < 3; round++) {
            AuditChain chain = AuditChain.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < LINES; i++) chain.append(json);
            long hashNs = (System.nanoTime() - t0) / LINES;

            AuditKey key = AuditKey.loadOrCreate(dir);
            t0 = System.nanoTime();
            for (int i = 0; i < 2000; i++) key.sign(i, chain.lastHash());
            long signNs = (System.nanoTime() - t0) / 2000;

            Path plainFile = dir.resolve("plain-" + round + ".log");
            Instant at = Instant.now();
            long plainNs;
            try (BufferedWriter w = Files.newBufferedWriter(plainFile); JsonLinesSink plain = new JsonLinesSink(w)) {
                t0 = System.nanoTime();
                for (int i = 0; i < LINES; i++) plain.accept(at, Event.SMTP_TRANSACTION, f);
                plainNs = (System.nanoTime() - t0) / LINES;
            }
            long chainedNs;
            try (ChainedFileSink chained = ChainedFileSink.open(dir.resolve("chained-" + round + ".log"), key,
                    new ChainedFileSink.Options(1000, Duration.ofHours(1), 1L << 40, false, Duration.ofDays(365)), Clock.systemUTC())) {
                t0 = System.nanoTime();
                for (int i = 0; i < LINES; i++) chained.accept(at, Event.SMTP_TRANSACTION, f);
                chainedNs = (System.nanoTime() - t0) / LINES;
            }
            System.out.printf("round %d: line %d bytes; chain hash %d ns/line; Ed25519 sign %d ns; "
                    + "plain sink %d ns/line; chained sink (checkpoint per 1000) %d ns/line%n",
                    round, json.length(), hashNs, signNs, plainNs, chainedNs);
        }
    }
}
