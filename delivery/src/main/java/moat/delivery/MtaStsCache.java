package moat.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import moat.core.Domain;

/**
 * The MTA-STS policy cache on disk (RFC 8461 section 5.1: a policy is cached until its
 * {@code max_age} and must survive restarts, section 10.2: otherwise an attacker who blocks the
 * policy fetch after a restart downgrades delivery to opportunistic TLS). One JSON file in the
 * data directory ({@code delivery.mta_sts_cache}), rewritten whole after each change
 * ({@link StateFile}: a crash leaves the old or the new file, never half of one). Decision: docs/adr/0021-outbound-tls-state-and-reports.md.
 *
 * <p>Security: the file is read with a size limit, at most {@link MtaSts#MAX_CACHED} entries, and
 * every entry is checked as strictly as a fetched policy (domain, id, mode, mx patterns, max_age);
 * an entry that fails is dropped, an unreadable file means an empty cache (reported, not fatal:
 * delivery then behaves as after a first start).
 *
 * <p>LIMITATION: per node: in cluster mode each node keeps its own file and fetches for itself.
 */
final class MtaStsCache {
    /** 10,000 entries of a few hundred bytes; a larger file is not ours. */
    static final long MAX_FILE = 32L * 1024 * 1024;
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One cached policy of {@code domain} (ASCII), fetched under TXT {@code id}, in force until {@code expires}. */
    record Entry(String domain, String id, MtaStsPolicy policy, Instant expires) {}

    private final Path file;
    private final Consumer<Exception> onError;

    MtaStsCache(Path file, Consumer<Exception> onError) {
        this.file = file;
        this.onError = onError;
    }

    /** The entries still in force at {@code now}; empty when there is no file or it is unreadable (reported). */
    List<Entry> load(Instant now) {
        List<Entry> out = new ArrayList<>();
        try {
            Optional<byte[]> bytes = StateFile.read(file, MAX_FILE);
            if (bytes.isEmpty()) return out;
            JsonNode root = JSON.readTree(bytes.get());
            if (root == null || root.path("format").asInt() != FORMAT || !root.path("policies").isArray())
                throw new IOException(file + ": not an MTA-STS cache of format " + FORMAT);
            for (JsonNode n : root.path("policies")) {
                if (out.size() >= MtaSts.MAX_CACHED) break;
                entry(n, now).ifPresent(out::add);
            }
        } catch (IOException | RuntimeException e) {
            onError.accept(e);
            return new ArrayList<>();
        }
        return out;
    }

    /** One entry, checked like a fetched policy; empty when anything is off or it has expired. */
    private static Optional<Entry> entry(JsonNode n, Instant now) {
        String domain = n.path("domain").asText("");
        String id = n.path("id").asText("");
        if (Domain.parse(domain).isEmpty() || !id.matches("[A-Za-z0-9]{1,32}")) return Optional.empty();
        StringBuilder text = new StringBuilder("version: STSv1\nmode: ").append(n.path("mode").asText("")).append('\n');
        for (JsonNode mx : n.path("mx")) text.append("mx: ").append(mx.asText("").replaceAll("[\\r\\n]", "")).append('\n');
        text.append("max_age: ").append(n.path("max_age").asLong(-1)).append('\n');
        Optional<MtaStsPolicy> policy = MtaStsPolicy.parse(text.toString());
        if (policy.isEmpty() || !n.path("expires").canConvertToLong()) return Optional.empty();
        Instant expires = Instant.ofEpochSecond(n.path("expires").asLong());
        // Never longer than the RFC's limit from now, whatever the file says.
        Instant latest = now.plusSeconds(MtaStsPolicy.MAX_AGE_LIMIT);
        if (expires.isAfter(latest)) expires = latest;
        if (!now.isBefore(expires)) return Optional.empty();
        return Optional.of(new Entry(domain, id, policy.get(), expires));
    }

    /** Replaces the file with {@code entries}; a failure is reported and leaves the old file. */
    void save(Collection<Entry> entries) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode list = root.putArray("policies");
        for (Entry e : entries) {
            ObjectNode n = list.addObject();
            n.put("domain", e.domain());
            n.put("id", e.id());
            n.put("mode", e.policy().mode().name().toLowerCase(java.util.Locale.ROOT));
            ArrayNode mx = n.putArray("mx");
            e.policy().mx().forEach(mx::add);
            n.put("max_age", e.policy().maxAgeSeconds());
            n.put("expires", e.expires().getEpochSecond());
        }
        try {
            StateFile.write(file, JSON.writeValueAsBytes(root));
        } catch (IOException | RuntimeException e) {
            onError.accept(e);
        }
    }
}
