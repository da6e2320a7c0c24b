package moat.auth.arc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import moat.auth.TestVectors;
import moat.core.dns.StaticZone;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The ValiMail ARC validation suite ({@code src/test/resources/vectors/arc/arc-draft-validation-tests.yml}):
 * every case, its message verified against a {@link StaticZone} built from the scenario's
 * txt-records. Messages are written with LF in YAML; they travel with CRLF.
 *
 * <p>The suite's signatures carry t=12345 and no x=, so the clock only has to be later than that;
 * a fixed instant keeps the run reproducible. Three cases (cv_fail_i1_as_cv_fail, cv_fail_i2_as2_fail, cv_fail_i2_as1_fail)
 * give an empty expected cv: their names and RFC 8617 section 5.2 step 2 say "fail", which is what
 * they are held to here.
 */
class ArcSuiteTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2017-06-01T00:00:00Z"), ZoneOffset.UTC);

    static Path dir() {
        return TestVectors.dir("arc");
    }

    record Case(String scenario, String name, String message, String cv, StaticZone zone) {}

    @SuppressWarnings("unchecked")
    static List<Case> cases() throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // the suite repeats a few test names; the last one counts
        List<Case> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(dir().resolve("arc-draft-validation-tests.yml"), StandardCharsets.UTF_8)) {
            for (Object doc : new Yaml(options).loadAll(r)) {
                Map<String, Object> scenario = (Map<String, Object>) doc;
                StaticZone.Builder zone = StaticZone.builder();
                Map<String, Object> txt = (Map<String, Object>) scenario.getOrDefault("txt-records", Map.of());
                txt.forEach((name, value) -> zone.txt(name, String.valueOf(value)));
                StaticZone built = zone.build();
                Map<String, Object> tests = (Map<String, Object>) scenario.get("tests");
                for (Map.Entry<String, Object> e : new LinkedHashMap<>(tests).entrySet()) {
                    Map<String, Object> t = (Map<String, Object>) e.getValue();
                    String message = String.valueOf(t.getOrDefault("message", ""));
                    String cv = t.get("cv") == null ? "" : String.valueOf(t.get("cv")).strip();
                    out.add(new Case(String.valueOf(scenario.get("description")).strip(), e.getKey(), message, cv, built));
                }
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> validationSuite() throws IOException {
        List<Case> cases = cases();
        assertEquals(171, cases.size(), "the suite has 171 validation cases");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.scenario() + " / " + c.name(), () -> {
            byte[] message = crlf(c.message()).getBytes(StandardCharsets.UTF_8);
            ArcResult r = new ArcVerifier(c.zone(), CLOCK).verify(message);
            String expected = c.cv().isEmpty() ? "fail" : c.cv().toLowerCase();
            assertEquals(expected, r.cv().token(), c.name() + ": " + r.reason());
        }));
    }

    static String crlf(String s) {
        return s.replace("\r\n", "\n").replace("\n", "\r\n");
    }
}
