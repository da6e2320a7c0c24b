package moat.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import moat.core.Event;
import moat.core.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chained audit file (docs/adr/0027) on real files: the hash is the ADR's definition, a
 * checkpoint follows every N lines and a clean stop, a restart continues the chain, and the
 * verifier names the first line of every kind of tampering.
 */
class ChainedAuditLogTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-08T01:02:03.456Z"), ZoneOffset.UTC);
    private static final ChainedFileSink.Options EVERY_10 = new ChainedFileSink.Options(10, Duration.ofHours(1), 1L << 30, false, Duration.ofDays(365));

    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("audit.log");
    }

    /** {@code n} delivery.recovered lines through the real event stream, then a clean stop. */
    private void write(int n) throws Exception {
        try (AuditLog a = AuditLog.toChainedFile(log(), dir, EVERY_10, CLOCK)) {
            for (int i = 0; i < n; i++) a.event(Event.DELIVERY_RECOVERED, Map.of("rows", i));
        }
    }

    private ChainVerifier.Report verify() throws Exception {
        return new ChainVerifier(AuditKey.loadOrCreate(dir).publicKey()).verify(List.of(log()));
    }

    private List<String> lines() throws Exception {
        return new ArrayList<>(Files.readAllLines(log()));
    }

    private void rewrite(List<String> lines) throws Exception {
        Files.writeString(log(), String.join("\n", lines) + "\n");
    }

    @Test
    void eachLineCarriesSeqAndTheHashTheAdrDefines() throws Exception {
        write(3);
        List<String> lines = lines();
        assertThat(lines.getFirst()).isEqualTo("{\"seq\":1,\"ts\":\"2026-12-08T01:02:03.456Z\",\"event\":\"delivery.recovered\","
                + "\"rows\":0,\"hash\":\"" + sha256(new byte[32], "{\"seq\":1,\"ts\":\"2026-12-08T01:02:03.456Z\","
                + "\"event\":\"delivery.recovered\",\"rows\":0}") + "\"}");
        // seq 2 chains to seq 1's hash: SHA-256(previous hash bytes || body bytes)
        String h1 = AuditChain.parse(lines.get(0)).orElseThrow().hashHex();
        String body2 = lines.get(1).substring(0, lines.get(1).indexOf(",\"hash\":")) + "}";
        assertThat(lines.get(1)).endsWith(",\"hash\":\"" + sha256(HexFormat.of().parseHex(h1), body2) + "\"}");
        // the clean stop signed the tail
        assertThat(lines).hasSize(4);
        assertThat(lines.get(3)).contains("\"seq\":4,").contains("\"event\":\"audit.checkpoint\"")
                .contains("\"signed_seq\":3").contains("\"why\":\"stop\"");
        ChainVerifier.Report r = verify();
        assertThat(r.holds()).as("%s", r).isTrue();
        assertThat(r.checkpoints()).isEqualTo(1);
        assertThat(r.unsigned()).isZero();
    }

    @Test
    void aCheckpointFollowsEveryNLinesAndARestartContinuesTheChain() throws Exception {
        write(25);
        write(4);
        List<String> lines = lines();
        // 25 events + checkpoints signing their 10th and 20th + stop; then 4 + stop
        assertThat(lines).hasSize(25 + 3 + 4 + 1);
        assertThat(lines.stream().filter(l -> l.contains("\"why\":\"lines\"")).count()).isEqualTo(2);
        for (int i = 0; i < lines.size(); i++) assertThat(lines.get(i)).startsWith("{\"seq\":" + (i + 1) + ",");
        ChainVerifier.Report r = verify();
        assertThat(r.holds()).as("%s", r).isTrue();
        assertThat(r.lastSeq()).isEqualTo(33);
        assertThat(r.checkpoints()).isEqualTo(4);
    }

    @Test
    void theKeyIsCreatedOwnerOnlyAndReusedAtTheNextStart() throws Exception {
        write(1);
        Path priv = dir.resolve(AuditKey.PRIVATE_FILE);
        assertThat(Files.getPosixFilePermissions(priv))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        String pub = Files.readString(dir.resolve(AuditKey.PUBLIC_FILE));
        assertThat(pub).startsWith("-----BEGIN PUBLIC KEY-----\n");
        write(1);
        assertThat(Files.readString(dir.resolve(AuditKey.PUBLIC_FILE))).isEqualTo(pub);
        assertThat(verify().holds()).isTrue();
    }

    @Test
    void editingOneByteBreaksThatLine() throws Exception {
        write(15);
        List<String> lines = lines();
        lines.set(6, lines.get(6).replace("\"rows\":6", "\"rows\":7"));
        rewrite(lines);
        assertBreaksAt(7, "edited");
    }

    @Test
    void deletingALineBreaksAtTheLineAfterIt() throws Exception {
        write(15);
        List<String> lines = lines();
        lines.remove(4);
        rewrite(lines);
        assertBreaksAt(5, "deleted");
    }

    @Test
    void insertingALineBreaksAtIt() throws Exception {
        write(15);
        List<String> lines = lines();
        lines.add(8, "{\"ts\":\"2026-12-08T01:02:03.456Z\",\"event\":\"delivery.recovered\",\"rows\":99}");
        rewrite(lines);
        assertBreaksAt(9, "not a chained audit line");
        // a copy of a genuine line does not pass either
        lines = lines();
        lines.set(8, lines.get(3));
        rewrite(lines);
        assertBreaksAt(9, "inserted, repeated or moved");
    }

    @Test
    void swappingTwoLinesBreaksAtTheFirst() throws Exception {
        write(15);
        List<String> lines = lines();
        String a = lines.get(2);
        lines.set(2, lines.get(3));
        lines.set(3, a);
        rewrite(lines);
        assertBreaksAt(3, "seq 4 where 3 was expected");
    }

    @Test
    void aTruncatedCheckpointSignatureBreaksTheCheckpoint() throws Exception {
        write(15);
        List<String> lines = lines();
        int cp = firstCheckpoint(lines); // signs seq 10, written a line or a few later
        assertThat(cp).isGreaterThanOrEqualTo(10);
        lines.set(cp, lines.get(cp).replaceFirst("(\"sig\":\"[^\"]{20})[^\"]*\"", "$1\""));
        rewrite(lines);
        assertBreaksAt(cp + 1, "edited");
    }

    @Test
    void recomputingTheHashesAfterAnEditIsCaughtByTheNextSignature() throws Exception {
        write(15);
        List<String> lines = lines();
        // An intruder edits line 3 and re-chains everything after it: every hash is right again.
        AuditChain chain = AuditChain.after(AuditChain.parse(lines.get(1)).orElseThrow());
        for (int i = 2; i < lines.size(); i++) {
            String body = AuditChain.parse(lines.get(i)).orElseThrow().body();
            String json = "{" + body.substring(body.indexOf(',') + 1);
            if (i == 2) json = json.replace("\"rows\":2", "\"rows\":0");
            lines.set(i, chain.append(json));
        }
        rewrite(lines);
        assertBreaksAt(firstCheckpoint(lines) + 1, "checkpoint signs seq 10");
    }

    @Test
    void anotherKeyDoesNotVerify() throws Exception {
        write(3);
        Path other = dir.resolve("other");
        ChainVerifier.Report r = new ChainVerifier(AuditKey.loadOrCreate(other).publicKey()).verify(List.of(log()));
        assertThat(r.broken()).hasValueSatisfying(b -> assertThat(b.problem()).contains("not with the key given"));
    }

    @Test
    void aTailAfterTheLastCheckpointIsCountedAsUnsigned() throws Exception {
        write(15);
        write(3);
        List<String> lines = lines();
        // cut the tail: the second run's stop checkpoint and its last event; the first run's stop
        // signed everything before the second run, so its 2 remaining events are unsigned
        rewrite(lines.subList(0, lines.size() - 2));
        ChainVerifier.Report r = verify();
        assertThat(r.holds()).isTrue();
        assertThat(r.unsigned()).isEqualTo(2);
    }

    @Test
    void aTornLastLineStartsANewChainThatVerifyReports() throws Exception {
        write(3);
        Files.writeString(log(), "{\"seq\":5,\"ts\":", java.nio.file.StandardOpenOption.APPEND);
        write(2);
        assertBreaksAt(5, "not a chained audit line");
        assertThat(lines().get(5)).startsWith("{\"seq\":1,");
    }

    @Test
    void rotatesBySizeCompressesAndTheChainGoesOnAcrossFiles() throws Exception {
        ChainedFileSink.Options small = new ChainedFileSink.Options(100, Duration.ofHours(1), 64 * 1024, false,
                Duration.ofDays(365));
        try (AuditLog a = AuditLog.toChainedFile(log(), dir, small, CLOCK)) {
            for (int i = 0; i < 2000; i++) a.event(Event.DELIVERY_RECOVERED, Map.of("rows", i));
        }
        List<Path> rotated = AuditFiles.rotatedFiles(log());
        assertThat(rotated).hasSizeGreaterThanOrEqualTo(3).allMatch(f -> f.toString().endsWith(".gz"));
        long total = Files.readAllLines(log()).size();
        for (Path f : rotated) {
            try (var r = AuditFiles.reader(f)) {
                List<String> ls = r.lines().toList();
                total += ls.size();
                assertThat(ls.stream().mapToLong(l -> l.length() + 1).sum()).isLessThanOrEqualTo(64 * 1024);
            }
        }
        ChainVerifier.Report r = new ChainVerifier(AuditKey.loadOrCreate(dir).publicKey()).verify(AuditFiles.inOrder(log()));
        assertThat(r.holds()).as("%s", r).isTrue();
        assertThat(r.firstSeq()).isEqualTo(1);
        assertThat(r.lastSeq()).isEqualTo(total);
        assertThat(r.unsigned()).isZero();
    }

    @Test
    void rotatesAtANewUtcDayAndARestartAfterARotationContinuesFromTheRotatedFile() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-08T23:59:59Z"));
        ChainedFileSink.Options daily = new ChainedFileSink.Options(10, Duration.ofHours(1), 1L << 30, true,
                Duration.ofDays(30));
        try (AuditLog a = AuditLog.toChainedFile(log(), dir, daily, clock)) {
            a.event(Event.DELIVERY_RECOVERED, Map.of("rows", 1));
            a.event(Event.DELIVERY_RECOVERED, Map.of("rows", 2));
            clock.advance(Duration.ofSeconds(2));
            a.event(Event.DELIVERY_RECOVERED, Map.of("rows", 3));
        }
        assertThat(AuditFiles.rotatedFiles(log())).extracting(f -> f.getFileName().toString())
                .containsExactly("audit.log.20261209T000001Z-0000000000000000002.gz");
        assertThat(lines().getFirst()).startsWith("{\"seq\":3,");

        // a rotation right before a stop: the current file is gone, the newest rotated one ends the chain
        Files.move(log(), AuditFiles.rotatedName(log(), clock.instant(), 5));
        // and a rotated file past audit.retention goes at the next rotation
        Path old = Path.of(AuditFiles.rotatedName(log(), Instant.parse("2026-01-01T00:00:00Z"), 1) + ".gz");
        Files.writeString(old, "");
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(clock.instant().minus(Duration.ofDays(31))));
        try (AuditLog a = AuditLog.toChainedFile(log(), dir, daily, clock)) {
            a.event(Event.DELIVERY_RECOVERED, Map.of("rows", 4));
            clock.advance(Duration.ofDays(1));
            a.event(Event.DELIVERY_RECOVERED, Map.of("rows", 5));
        }
        assertThat(old).doesNotExist();
        assertThat(AuditFiles.rotatedFiles(log())).hasSize(3).allMatch(f -> f.toString().endsWith(".gz"));
        ChainVerifier.Report r = new ChainVerifier(AuditKey.loadOrCreate(dir).publicKey()).verify(AuditFiles.inOrder(log()));
        assertThat(r.holds()).as("%s", r).isTrue();
        assertThat(r.lastSeq()).isEqualTo(7); // 3 events + stop; then 1 event, rotation, 1 event + stop
    }

    private static int firstCheckpoint(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("\"event\":\"audit.checkpoint\"")) return i;
        throw new AssertionError("no checkpoint");
    }

    private void assertBreaksAt(long line, String problem) throws Exception {
        ChainVerifier.Report r = verify();
        assertThat(r.broken()).as("%s", r).hasValueSatisfying(b -> {
            assertThat(b.line()).as(b.toString()).isEqualTo(line);
            assertThat(b.problem()).contains(problem);
        });
    }

    private static String sha256(byte[] previous, String body) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(previous);
        d.update(body.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d.digest());
    }
}
