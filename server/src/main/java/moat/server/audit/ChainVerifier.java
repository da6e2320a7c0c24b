package moat.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import moat.core.Event;

/**
 * Checks audit log files, given in order, as one hash chain with signed checkpoints
 * (docs/adr/0027) and names the first line where it breaks. What each check finds:
 * <ul>
 * <li>a line edited in place: its hash no longer matches its bytes;</li>
 * <li>a line deleted, inserted, repeated or moved: its seq is not the one expected;</li>
 * <li>lines rewritten with their hashes recomputed (anyone can compute SHA-256): the next
 * checkpoint's signature, which only the private key can make, no longer matches;</li>
 * <li>a cut-off tail: only lines after the last checkpoint can go unnoticed, and only a copy kept
 * elsewhere (the remote log server) shows they existed; the report counts them.</li>
 * </ul>
 */
public final class ChainVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHECKPOINT = "\"event\":\"" + Event.AUDIT_CHECKPOINT.id() + "\"";

    /** Where the chain breaks: file, 1-based line number in it, and what was found. */
    public record Break(Path file, long line, String problem) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + problem;
        }
    }

    /**
     * The outcome: {@code firstSeq..lastSeq} read, {@code checkpoints} valid signatures,
     * {@code unsigned} event lines after the last seq signed, and the first break if any.
     */
    public record Report(long lines, long firstSeq, long lastSeq, int checkpoints, long unsigned,
                         Optional<Break> broken) {
        public boolean holds() {
            return broken.isEmpty();
        }
    }

    private final PublicKey key;
    private final String keyId;

    public ChainVerifier(PublicKey key) {
        this.key = key;
        this.keyId = AuditKey.id(key);
    }

    public Report verify(List<Path> files) throws IOException {
        State st = new State();
        for (Path file : files) {
            try (BufferedReader r = AuditFiles.reader(file)) {
                long lineNo = 0;
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lineNo++;
                    Optional<String> problem = st.check(line);
                    if (problem.isPresent()) return st.report(Optional.of(new Break(file, lineNo, problem.get())));
                }
            }
        }
        return st.report(Optional.empty());
    }

    /** The chain read so far. */
    private final class State {
        /** Lines since the last signed seq a checkpoint may name: more than audit.checkpoint_lines allows. */
        private static final int RECENT_LIMIT = 400_000;

        private record Seen(byte[] hash, boolean checkpoint) {}

        long lines;
        long firstSeq;
        long expected; // 0 = nothing read yet
        byte[] previous;
        long lastSignedSeq;
        int checkpoints;
        /** The lines after lastSignedSeq, oldest first: a checkpoint signs one of them. */
        final LinkedHashMap<Long, Seen> recent = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Seen> eldest) {
                return size() > RECENT_LIMIT;
            }
        };

        Optional<String> check(String line) {
            Optional<AuditChain.Link> parsed = AuditChain.parse(line);
            if (parsed.isEmpty())
                return Optional.of("not a chained audit line (no seq first or no hash last): inserted, edited or torn");
            AuditChain.Link link = parsed.get();
            if (expected == 0) {
                firstSeq = link.seq();
                expected = link.seq();
                // A file that starts after seq 1 continues an earlier one not given: its first
                // line is taken on trust, the rest is checked from it.
                previous = link.seq() == 1 ? AuditChain.GENESIS : null;
            }
            if (link.seq() != expected) {
                return Optional.of(link.seq() > expected
                        ? "seq " + link.seq() + " where " + expected + " was expected: " + (link.seq() - expected)
                        + " line(s) before it deleted, or this line inserted or moved"
                        : "seq " + link.seq() + " where " + expected + " was expected: a line inserted, repeated or moved");
            }
            if (previous != null && !Arrays.equals(AuditChain.hash(previous, link.body()), link.hash()))
                return Optional.of("seq " + link.seq() + ": hash does not match the line: the line was edited or forged");
            boolean isCheckpoint = false;
            if (line.contains(CHECKPOINT)) {
                JsonNode n;
                try {
                    n = JSON.readTree(link.body());
                } catch (IOException e) {
                    return Optional.of("seq " + link.seq() + ": not JSON");
                }
                isCheckpoint = n.path("event").asText().equals(Event.AUDIT_CHECKPOINT.id());
                if (isCheckpoint) {
                    Optional<String> bad = checkpoint(link, n);
                    if (bad.isPresent()) return bad;
                }
            }
            recent.put(link.seq(), new Seen(link.hash(), isCheckpoint));
            previous = link.hash();
            expected++;
            lines++;
            return Optional.empty();
        }

        Optional<String> checkpoint(AuditChain.Link link, JsonNode n) {
            long signedSeq = n.path("signed_seq").asLong(-1);
            String signedHash = n.path("signed_hash").asText("");
            String since = lastSignedSeq == 0 ? "the start" : "seq " + lastSignedSeq + " (signed before)";
            if (!n.path("key_id").asText("").equals(keyId))
                return Optional.of("seq " + link.seq() + ": checkpoint signed with key " + n.path("key_id").asText()
                        + ", not with the key given (" + keyId + ")");
            Seen signed = recent.get(signedSeq);
            if (previous != null && (signed == null || !signedHash.equals(HexFormat.of().formatHex(signed.hash()))))
                return Optional.of("seq " + link.seq() + ": checkpoint signs seq " + signedSeq + " " + signedHash
                        + ", not a line of this chain since " + since + ": lines after " + since + " were rewritten");
            if (!AuditKey.verify(key, signedSeq, signedHash, n.path("sig").asText("")))
                return Optional.of("seq " + link.seq() + ": checkpoint signature is not valid: lines after " + since
                        + " were rewritten, or the checkpoint was");
            lastSignedSeq = signedSeq;
            recent.keySet().removeIf(seq -> seq <= signedSeq);
            checkpoints++;
            return Optional.empty();
        }

        Report report(Optional<Break> broken) {
            long last = expected == 0 ? 0 : expected - 1;
            long unsigned = recent.values().stream().filter(seen -> !seen.checkpoint()).count();
            return new Report(lines, firstSeq, last, checkpoints, unsigned, broken);
        }
    }
}
