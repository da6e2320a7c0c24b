package moat.auth.spf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import moat.auth.TestVectors;
import moat.core.dns.DnsName;
import moat.core.dns.DnsResult;
import moat.core.dns.Mx;
import moat.core.dns.Resolver;
import moat.core.dns.StaticZone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Runs the openspf.org RFC 7208 test suite (release 2014.04) from {@code src/test/resources/vectors/spf}:
 * one dynamic test per case, and a check that all 203 ran and passed.
 *
 * <p>Zone rules, as the suite's reference driver applies them: names are case-insensitive; a
 * {@code TIMEOUT} entry makes every query for its name time out unless the name holds records of
 * the asked type (case "spftimeout": TXT answers while the SPF type times out); an absent name is NXDOMAIN,
 * except names starting with {@code error.}, which time out; {@code SPF} records are served as TXT
 * unless the name lists a TXT record; {@code NONE} means no record of that type; a TXT record given
 * as a list of strings is concatenated without a separator.
 */
class Rfc7208SuiteTest {
    private static final int EXPECTED_CASES = 203;
    private static final AtomicInteger ran = new AtomicInteger();
    private static final AtomicInteger passed = new AtomicInteger();

    @TestFactory
    Stream<DynamicNode> rfc7208Suite() throws IOException {
        Path suite = suiteFile();
        List<DynamicNode> scenarios = new ArrayList<>();
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(16 * 1024 * 1024);
        try (InputStream in = Files.newInputStream(suite)) {
            for (Object doc : new Yaml(options).loadAll(in)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> scenario = (Map<String, Object>) doc;
                String description = (String) scenario.get("description");
                Resolver dns = zone(map(scenario.get("zonedata")));
                List<DynamicNode> cases = new ArrayList<>();
                for (Map.Entry<String, Object> t : map(scenario.get("tests")).entrySet()) {
                    Map<String, Object> test = map(t.getValue());
                    cases.add(DynamicTest.dynamicTest(description + " / " + t.getKey(), () -> runCase(dns, test)));
                }
                scenarios.add(DynamicContainer.dynamicContainer(description, cases));
            }
        }
        return scenarios.stream();
    }

    @AfterAll
    static void allCasesRanAndPassed() {
        assertEquals(EXPECTED_CASES, ran.get(), "cases run");
        assertEquals(EXPECTED_CASES, passed.get(), "cases passed");
    }

    private static void runCase(Resolver dns, Map<String, Object> test) throws IOException {
        ran.incrementAndGet();
        String host = String.valueOf(test.get("host"));
        InetAddress ip = InetAddress.getByName(host); // literals only in the suite: no DNS query
        String mailFrom = String.valueOf(test.get("mailfrom"));
        String helo = String.valueOf(test.get("helo"));
        // The suite's driver uses "DEFAULT" as the default explanation and "unknown" for %{r}.
        SpfSettings settings = SpfSettings.defaults().withDefaultExplanation("DEFAULT");
        Spf spf = new Spf(dns, settings, Clock.fixed(Instant.parse("2014-04-01T00:00:00Z"), ZoneOffset.UTC));
        SpfResult r = spf.check(ip, mailFrom, helo);
        List<String> expected = new ArrayList<>();
        if (test.get("result") instanceof List<?> l) l.forEach(x -> expected.add(String.valueOf(x)));
        else expected.add(String.valueOf(test.get("result")));
        assertTrue(expected.contains(r.result().token()),
                () -> "expected " + expected + " got " + r.result().token() + " (" + r.problem() + ", " + r.mechanism() + ")");
        if (test.containsKey("explanation")) {
            // Case-insensitive: the suite writes IPv6 nibbles upper-case, RFC 7208 section 7.4 lower-case.
            String want = String.valueOf(test.get("explanation"));
            String got = r.explanation().orElse("");
            assertTrue(want.equalsIgnoreCase(got), () -> "explanation: expected <" + want + "> got <" + got + ">");
        }
        passed.incrementAndGet();
    }

    /** The suite's YAML file, from the test class path (see {@code vectors/spf/README.md}). */
    static Path suiteFile() {
        return TestVectors.dir("spf").resolve("rfc7208-tests.yml");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    static Resolver zone(Map<String, Object> zonedata) {
        StaticZone.Builder b = StaticZone.builder();
        Set<String> timeouts = new HashSet<>();
        for (Map.Entry<String, Object> e : zonedata.entrySet()) {
            String name = e.getKey();
            b.name(name);
            List<?> entries = (List<?>) e.getValue();
            boolean hasTxt = entries.stream().anyMatch(x -> x instanceof Map<?, ?> m && m.containsKey("TXT"));
            for (Object entry : entries) {
                if ("TIMEOUT".equals(entry)) {
                    timeouts.add(DnsName.normalize(name));
                    continue;
                }
                Map<?, ?> rr = (Map<?, ?>) entry;
                for (Map.Entry<?, ?> r : rr.entrySet()) {
                    String type = String.valueOf(r.getKey());
                    Object value = r.getValue();
                    if ("NONE".equals(value)) continue;
                    switch (type) {
                        case "TXT" -> b.txt(name, text(value));
                        case "SPF" -> { if (!hasTxt) b.txt(name, text(value)); }
                        case "A" -> b.a(name, String.valueOf(value));
                        case "AAAA" -> b.aaaa(name, String.valueOf(value));
                        case "MX" -> {
                            List<?> mx = (List<?>) value;
                            b.mx(name, ((Number) mx.get(0)).intValue(), String.valueOf(mx.get(1)));
                        }
                        case "PTR" -> b.ptr(name, String.valueOf(value));
                        case "CNAME" -> b.cname(name, String.valueOf(value));
                        default -> throw new IllegalArgumentException("record type " + type);
                    }
                }
            }
        }
        return new SuiteRules(b.build(), Set.copyOf(timeouts));
    }

    private static String text(Object value) {
        if (value instanceof List<?> parts) {
            StringBuilder sb = new StringBuilder();
            parts.forEach(sb::append);
            return sb.toString();
        }
        return String.valueOf(value);
    }

    /**
     * The suite's timeout rules on top of the zone: a name with a TIMEOUT entry times out for every
     * type it has no record of, and absent names under "error." time out instead of being NXDOMAIN.
     */
    private record SuiteRules(Resolver zone, Set<String> timeouts) implements Resolver {
        private <T> DnsResult<T> adjust(String name, DnsResult<T> r) {
            String n = DnsName.normalize(name);
            if (r.isVoid() && timeouts.contains(n)) return new DnsResult.TempFail<>("timeout (TIMEOUT entry)");
            if (r instanceof DnsResult.NxDomain<T> && n.startsWith("error.")) {
                return new DnsResult.TempFail<>("timeout (suite rule for error.*)");
            }
            return r;
        }

        @Override public DnsResult<List<String>> txt(String name) { return adjust(name, zone.txt(name)); }
        @Override public DnsResult<List<InetAddress>> a(String name) { return adjust(name, zone.a(name)); }
        @Override public DnsResult<List<InetAddress>> aaaa(String name) { return adjust(name, zone.aaaa(name)); }
        @Override public DnsResult<List<Mx>> mx(String name) { return adjust(name, zone.mx(name)); }
        @Override public DnsResult<List<String>> ptr(InetAddress ip) { return adjust(DnsName.reverse(ip), zone.ptr(ip)); }
    }
}
