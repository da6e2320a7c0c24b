package moat.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import moat.core.dns.Resolver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Interoperability with pyspf (Debian package python3-spf), an independent SPF implementation:
 * every case of the RFC 7208 suite is evaluated by pyspf and by Moat over the same zone data,
 * and the results are compared. Where the two disagree the suite's expected result decides; the
 * test requires Moat to match the suite in every case, so every disagreement must be a pyspf
 * deviation. Fails, never skips, when pyspf is missing.
 *
 * <p>pyspf looks records up through its module-level {@code spf.DNSLookup}; the driver replaces
 * it with a function over the JSON zone this test writes, applying the suite rules that
 * {@link Rfc7208SuiteTest} applies to Moat (TIMEOUT entries, {@code error.*} names time out, SPF
 * records served as TXT unless the name has TXT, {@code NONE} means no record).
 */
@Tag("interop")
class PyspfInteropTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final int EXPECTED_CASES = 203;

    private static final String DRIVER = """
            import sys, json, spf
            data = json.load(open(sys.argv[1], encoding='utf-8'))
            zone = {}
            def lookup(name, qtype, strict=True, timeout=None):
                n = name.rstrip('.').lower()
                node = zone.get(n)
                if node is None:
                    if n.startswith('error.'):
                        raise spf.TempError('DNS timeout (suite rule for error.*)')
                    return []
                out = []
                if qtype in node:
                    for v in node[qtype]:
                        if qtype == 'TXT':
                            v = [s.encode('utf-8') for s in v]
                        elif qtype == 'MX':
                            v = (v[0], v[1])
                        out.append(((n, qtype), v))
                elif 'CNAME' in node:
                    out.append(((n, 'CNAME'), node['CNAME'][0]))
                elif node.get('timeout'):
                    raise spf.TempError('DNS timeout (TIMEOUT entry)')
                return out
            spf.DNSLookup = lookup
            old = {'unknown': 'permerror', 'error': 'temperror'}
            for scenario in data:
                zone = scenario['zone']
                for case in scenario['cases']:
                    try:
                        q = spf.query(i=case['host'], s=case['mailfrom'], h=case['helo'], querytime=20)
                        q.set_default_explanation('DEFAULT')
                        res, code, exp = q.check()
                        res = old.get(res, res)
                    except Exception as e:
                        res = 'exception:' + type(e).__name__
                    print(json.dumps([case['id'], res]))
            """;

    @TempDir
    Path dir;

    private record Case(String id, String description, String name, Map<String, Object> test, Resolver dns) {}

    @Test
    void pyspfAgreesWithMoatWhereverPyspfFollowsTheSuite() throws Exception {
        List<Case> cases = new ArrayList<>();
        List<Object> scenariosJson = new ArrayList<>();
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(16 * 1024 * 1024);
        try (InputStream in = Files.newInputStream(Rfc7208SuiteTest.suiteFile())) {
            for (Object doc : new Yaml(options).loadAll(in)) {
                Map<String, Object> scenario = Rfc7208SuiteTest.map(doc);
                String description = (String) scenario.get("description");
                Map<String, Object> zonedata = Rfc7208SuiteTest.map(scenario.get("zonedata"));
                Resolver dns = Rfc7208SuiteTest.zone(zonedata);
                List<Object> casesJson = new ArrayList<>();
                for (Map.Entry<String, Object> t : Rfc7208SuiteTest.map(scenario.get("tests")).entrySet()) {
                    Map<String, Object> test = Rfc7208SuiteTest.map(t.getValue());
                    String id = cases.size() + ":" + t.getKey();
                    cases.add(new Case(id, description, t.getKey(), test, dns));
                    casesJson.add(Map.of("id", id, "host", String.valueOf(test.get("host")),
                            "mailfrom", String.valueOf(test.get("mailfrom")), "helo", String.valueOf(test.get("helo"))));
                }
                scenariosJson.add(Map.of("zone", pyZone(zonedata), "cases", casesJson));
            }
        }
        assertThat(cases).hasSize(EXPECTED_CASES);

        Map<String, String> pyspf = runPyspf(scenariosJson);
        int agree = 0;
        int pyspfMatchesSuite = 0;
        List<String> disagreements = new ArrayList<>();
        List<String> moatWrong = new ArrayList<>();
        List<String> badDisagreements = new ArrayList<>();
        for (Case c : cases) {
            List<String> expected = expected(c.test());
            String moat = moatResult(c);
            String py = pyspf.get(c.id());
            assertThat(py).as("pyspf result for " + c.id()).isNotNull();
            boolean pyOk = expected.contains(py);
            if (pyOk) pyspfMatchesSuite++;
            if (!expected.contains(moat)) moatWrong.add(c.description() + " / " + c.name() + ": suite " + expected + ", Moat " + moat);
            if (moat.equals(py)) {
                agree++;
            } else {
                String line = c.description() + " / " + c.name() + ": suite " + expected + ", Moat " + moat + ", pyspf " + py;
                disagreements.add(line);
                if (pyOk) badDisagreements.add(line);
            }
        }
        System.out.printf("pyspf interop: %d/%d cases agree; pyspf matches the suite in %d/%d; Moat in %d/%d%n",
                agree, cases.size(), pyspfMatchesSuite, cases.size(), cases.size() - moatWrong.size(), cases.size());
        disagreements.forEach(d -> System.out.println("  disagreement: " + d));
        assertThat(moatWrong).as("cases where Moat departs from the suite").isEmpty();
        assertThat(badDisagreements).as("disagreements where pyspf follows the suite").isEmpty();
    }

    private static List<String> expected(Map<String, Object> test) {
        List<String> expected = new ArrayList<>();
        if (test.get("result") instanceof List<?> l) l.forEach(x -> expected.add(String.valueOf(x)));
        else expected.add(String.valueOf(test.get("result")));
        return expected;
    }

    private static String moatResult(Case c) throws IOException {
        InetAddress ip = InetAddress.getByName(String.valueOf(c.test().get("host"))); // literals only
        Spf spf = new Spf(c.dns(), SpfSettings.defaults().withDefaultExplanation("DEFAULT"),
                Clock.fixed(Instant.parse("2014-04-01T00:00:00Z"), ZoneOffset.UTC));
        return spf.check(ip, String.valueOf(c.test().get("mailfrom")), String.valueOf(c.test().get("helo"))).result().token();
    }

    /**
     * The zone as the driver reads it: lower-case name to {type: [values]} plus a timeout flag,
     * with the same rules as {@link Rfc7208SuiteTest#zone}.
     */
    private static Map<String, Object> pyZone(Map<String, Object> zonedata) {
        Map<String, Object> zone = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : zonedata.entrySet()) {
            String name = e.getKey().toLowerCase(java.util.Locale.ROOT);
            if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
            @SuppressWarnings("unchecked")
            Map<String, Object> node = (Map<String, Object>) zone.computeIfAbsent(name, k -> new HashMap<String, Object>());
            List<?> entries = (List<?>) e.getValue();
            boolean hasTxt = entries.stream().anyMatch(x -> x instanceof Map<?, ?> m && m.containsKey("TXT"));
            for (Object entry : entries) {
                if ("TIMEOUT".equals(entry)) {
                    node.put("timeout", true);
                    continue;
                }
                for (Map.Entry<?, ?> r : ((Map<?, ?>) entry).entrySet()) {
                    String type = String.valueOf(r.getKey());
                    Object value = r.getValue();
                    if ("NONE".equals(value)) continue;
                    if ("SPF".equals(type)) {
                        if (hasTxt) continue;
                        type = "TXT";
                    }
                    Object v = switch (type) {
                        case "TXT" -> value instanceof List<?> parts ? parts.stream().map(String::valueOf).toList() : List.of(String.valueOf(value));
                        case "MX" -> List.of(((Number) ((List<?>) value).get(0)).intValue(), String.valueOf(((List<?>) value).get(1)));
                        case "A", "AAAA", "PTR", "CNAME" -> String.valueOf(value);
                        default -> throw new IllegalArgumentException("record type " + type);
                    };
                    @SuppressWarnings("unchecked")
                    List<Object> values = (List<Object>) node.computeIfAbsent(type, k -> new ArrayList<>());
                    values.add(v);
                }
            }
        }
        return zone;
    }

    private Map<String, String> runPyspf(List<Object> scenarios) throws Exception {
        checkPyspf();
        Path json = dir.resolve("suite.json");
        Files.writeString(json, Json.write(scenarios), StandardCharsets.UTF_8);
        Path script = dir.resolve("pyspf_driver.py");
        Files.writeString(script, DRIVER);
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(PYTHON, script.toString(), json.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("pyspf driver timed out");
        }
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        Map<String, String> results = new HashMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            // Each line is ["id", "result"]: ids and results hold no quotes or commas of their own.
            String[] parts = line.substring(1, line.length() - 1).split("\", \"", 2);
            results.put(parts[0].substring(1), parts[1].substring(0, parts[1].length() - 1));
        }
        return results;
    }

    private static void checkPyspf() throws Exception {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import spf").redirectErrorStream(true).start();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) return;
            p.destroyForcibly();
        } catch (IOException e) {
            // reported below
        }
        fail("pyspf not found for " + PYTHON + ": install the Debian package python3-spf (apt-get install python3-spf)");
    }

    /** Minimal JSON writer for maps, lists, strings, numbers and booleans. */
    private static final class Json {
        static String write(Object o) {
            StringBuilder sb = new StringBuilder();
            write(sb, o);
            return sb.toString();
        }

        private static void write(StringBuilder sb, Object o) {
            switch (o) {
                case Map<?, ?> m -> {
                    sb.append('{');
                    boolean first = true;
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (!first) sb.append(',');
                        first = false;
                        string(sb, String.valueOf(e.getKey()));
                        sb.append(':');
                        write(sb, e.getValue());
                    }
                    sb.append('}');
                }
                case List<?> l -> {
                    sb.append('[');
                    for (int i = 0; i < l.size(); i++) {
                        if (i > 0) sb.append(',');
                        write(sb, l.get(i));
                    }
                    sb.append(']');
                }
                case Number n -> sb.append(n);
                case Boolean b -> sb.append(b);
                default -> string(sb, String.valueOf(o));
            }
        }

        private static void string(StringBuilder sb, String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') sb.append('\\').append(c);
                else if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
                else sb.append(c);
            }
            sb.append('"');
        }
    }
}
