package moat.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import moat.core.Domain;

/**
 * The TLS-RPT counts on disk ({@code delivery.tlsrpt_state}, a {@link StateFile}), so that a
 * restart does not lose the day so far. Written at most once a minute while counts change, at
 * once when reports are taken out (so a crash cannot send a day twice), and at shutdown.
 *
 * <p>Security: read with a size limit; at most {@link TlsRpt#MAX_DOMAINS} entries and
 * {@link TlsRpt#MAX_DETAILS} details each; entries with an unknown domain, day, policy type or
 * result type, or negative counts, are dropped; an unreadable file means no counts (reported).
 */
final class TlsRptState {
    static final long MAX_FILE = 64L * 1024 * 1024;
    private static final int FORMAT = 1;
    private static final int MAX_STRINGS = 100;
    private static final int MAX_STRING = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Consumer<Exception> onError;

    TlsRptState(Path file, Consumer<Exception> onError) {
        this.file = file;
        this.onError = onError;
    }

    void save(Map<TlsRpt.Key, TlsRpt.Counts> counts) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode list = root.putArray("entries");
        for (var e : counts.entrySet()) {
            ObjectNode n = list.addObject();
            n.put("day", e.getKey().day().toString());
            n.put("domain", e.getKey().domain());
            n.put("policy_type", e.getKey().policy().type());
            ArrayNode strings = n.putArray("policy_strings");
            e.getKey().policy().strings().forEach(strings::add);
            ArrayNode mx = n.putArray("mx_hosts");
            e.getKey().policy().mxHosts().forEach(mx::add);
            n.put("success", e.getValue().success);
            n.put("failure", e.getValue().failure);
            ArrayNode details = n.putArray("details");
            for (var d : e.getValue().details.entrySet()) {
                ObjectNode x = details.addObject();
                x.put("type", d.getKey().type().token());
                x.put("mx", d.getKey().mxHost());
                x.put("ip", d.getKey().receivingIp());
                x.put("count", d.getValue());
            }
        }
        try {
            StateFile.write(file, JSON.writeValueAsBytes(root));
        } catch (IOException | RuntimeException e) {
            onError.accept(e);
        }
    }

    Map<TlsRpt.Key, TlsRpt.Counts> load() {
        Map<TlsRpt.Key, TlsRpt.Counts> out = new LinkedHashMap<>();
        try {
            Optional<byte[]> bytes = StateFile.read(file, MAX_FILE);
            if (bytes.isEmpty()) return out;
            JsonNode root = JSON.readTree(bytes.get());
            if (root == null || root.path("format").asInt() != FORMAT || !root.path("entries").isArray())
                throw new IOException(file + ": not a TLS-RPT state file of format " + FORMAT);
            for (JsonNode n : root.path("entries")) {
                if (out.size() >= TlsRpt.MAX_DOMAINS) break;
                entry(n).ifPresent(e -> out.put(e.getKey(), e.getValue()));
            }
        } catch (IOException | RuntimeException e) {
            onError.accept(e);
            return new LinkedHashMap<>();
        }
        return out;
    }

    private static Optional<Map.Entry<TlsRpt.Key, TlsRpt.Counts>> entry(JsonNode n) {
        String domain = n.path("domain").asText("");
        String type = n.path("policy_type").asText("");
        if (Domain.parse(domain).isEmpty() || !List.of("sts", "tlsa", "no-policy-found").contains(type)) return Optional.empty();
        LocalDate day;
        try {
            day = LocalDate.parse(n.path("day").asText(""));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
        Optional<List<String>> strings = strings(n.path("policy_strings"));
        Optional<List<String>> mx = strings(n.path("mx_hosts"));
        if (strings.isEmpty() || mx.isEmpty()) return Optional.empty();
        TlsRpt.Counts c = new TlsRpt.Counts();
        c.success = n.path("success").asLong(-1);
        c.failure = n.path("failure").asLong(-1);
        if (c.success < 0 || c.failure < 0) return Optional.empty();
        for (JsonNode d : n.path("details")) {
            if (c.details.size() >= TlsRpt.MAX_DETAILS) break;
            Optional<TlsRpt.ResultType> t = TlsRpt.ResultType.ofToken(d.path("type").asText(""));
            long count = d.path("count").asLong(-1);
            String host = d.path("mx").asText("");
            String ip = d.path("ip").asText("");
            if (t.isEmpty() || count < 0 || host.length() > 255 || ip.length() > 64) return Optional.empty();
            c.details.put(new TlsRpt.Detail(t.get(), host, ip), count);
        }
        TlsRpt.Policy p = type.equals("no-policy-found") ? TlsRpt.Policy.NONE : new TlsRpt.Policy(type, strings.get(), mx.get());
        return Optional.of(Map.entry(new TlsRpt.Key(day, domain, p), c));
    }

    private static Optional<List<String>> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (!array.isArray() || array.size() > MAX_STRINGS) return Optional.empty();
        for (JsonNode s : array) {
            if (!s.isTextual() || s.asText().length() > MAX_STRING) return Optional.empty();
            out.add(s.asText());
        }
        return Optional.of(out);
    }
}
