package moat.auth.arc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import moat.auth.authres.AuthenticationResults;
import moat.auth.dkim.HeaderField;
import moat.auth.dkim.MessageSplit;
import moat.auth.dkim.TagList;
import moat.core.dns.StaticZone;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The ValiMail ARC signing suite ({@code arc-draft-sign-tests.yml}): Moat seals each message
 * with the scenario's key at the case's time t and must produce the expected fields. RSA
 * signatures (PKCS#1 v1.5) are deterministic, so b= must match to the bit. AS and AMS are
 * compared tag by tag with whitespace removed (folding is free); the AAR after whitespace
 * collapsing. The AAR copies the message's Authentication-Results fields that carry the srv-id.
 */
class ArcSignSuiteTest {

    @SuppressWarnings("unchecked")
    @TestFactory
    Stream<DynamicTest> signingSuite() throws Exception {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true);
        List<DynamicTest> tests = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(ArcSuiteTest.dir().resolve("arc-draft-sign-tests.yml"), StandardCharsets.UTF_8)) {
            for (Object doc : new Yaml(options).loadAll(r)) {
                Map<String, Object> scenario = (Map<String, Object>) doc;
                StaticZone.Builder zone = StaticZone.builder();
                ((Map<String, Object>) scenario.get("txt-records")).forEach((n, v) -> zone.txt(n, String.valueOf(v).replace("\n", "")));
                StaticZone dns = zone.build();
                PrivateKey key = pkcs1(String.valueOf(scenario.get("privatekey")));
                String domain = String.valueOf(scenario.get("domain"));
                String selector = String.valueOf(scenario.get("sel"));
                Map<String, Object> cases = (Map<String, Object>) scenario.get("tests");
                for (Map.Entry<String, Object> e : new LinkedHashMap<>(cases).entrySet()) {
                    Map<String, Object> t = (Map<String, Object>) e.getValue();
                    tests.add(DynamicTest.dynamicTest(e.getKey(), () -> run(t, dns, new ArcSealingKey(domain, selector, key))));
                }
            }
        }
        assertEquals(17, tests.size(), "the suite has 17 signing cases");
        return tests.stream();
    }

    private static void run(Map<String, Object> t, StaticZone dns, ArcSealingKey key) throws Exception {
        byte[] message = ArcSuiteTest.crlf(String.valueOf(t.get("message"))).getBytes(StandardCharsets.UTF_8);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(((Number) t.get("t")).longValue()), ZoneOffset.UTC);
        String srvId = String.valueOf(t.get("srv-id"));
        List<String> signed = List.of(String.valueOf(t.get("sig-headers")).split(":"));
        ArcResult chain = new ArcVerifier(dns, clock).verify(message);
        Optional<String> set = new ArcSealer(key, signed, clock).seal(message, srvId, ourResults(message, srvId), chain);
        String as = String.valueOf(t.getOrDefault("AS", "")).strip();
        if (as.isEmpty()) {
            assertEquals(Optional.empty(), set, "no set may be added to this chain");
            return;
        }
        assertTrue(set.isPresent(), "a set is added; chain " + chain);
        List<HeaderField> fields = HeaderField.parse(set.get().getBytes(StandardCharsets.ISO_8859_1), 1 << 16, 10);
        assertEquals(3, fields.size());
        assertEquals(tags(String.valueOf(t.get("AMS"))), tags(fields.get(1).value()), "ARC-Message-Signature");
        assertEquals(collapse(String.valueOf(t.get("AAR"))), collapse(fields.get(2).value()), "ARC-Authentication-Results");
        assertEquals(tags(as), tags(fields.get(0).value()), "ARC-Seal");
        // And what Moat seals, Moat verifies.
        byte[] sealed = (set.get() + new String(message, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
        ArcResult again = new ArcVerifier(dns, clock).verify(sealed);
        assertEquals(chain.cv() == ArcResult.Code.FAIL ? ArcResult.Code.FAIL : ArcResult.Code.PASS, again.cv(), again.reason());
    }

    /** The resinfo of the Authentication-Results fields that claim srvId, joined with "; ". */
    static String ourResults(byte[] message, String srvId) throws Exception {
        List<String> parts = new ArrayList<>();
        byte[] head = Arrays.copyOf(message, MessageSplit.bodyStart(message));
        for (HeaderField f : HeaderField.parse(head, 1 << 20, 1000)) {
            if (!AuthenticationResults.claims(f.raw(), srvId)) continue;
            String v = f.value();
            int semi = v.indexOf(';');
            String rest = semi < 0 ? "" : collapse(v.substring(semi + 1));
            if (rest.endsWith(";")) rest = rest.substring(0, rest.length() - 1).strip();
            if (!rest.isEmpty()) parts.add(rest);
        }
        return String.join("; ", parts);
    }

    static Map<String, String> tags(String value) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        TagList.parse(value.replaceAll("\\s+", " ")).tags()
                .forEach((n, tag) -> out.put(n, tag.value().replaceAll("\\s", "")));
        return out;
    }

    static String collapse(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    /** Wraps a PEM "RSA PRIVATE KEY" (PKCS#1) as PKCS#8 for the JDK. */
    static PrivateKey pkcs1(String pem) throws Exception {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] rsa = Base64.getDecoder().decode(b64);
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        byte[] inner = concat(new byte[] {0x02, 0x01, 0x00}, algorithm, der(0x04, rsa));
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der(0x30, inner)));
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 128) {
            out.write(n);
        } else if (n < 256) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
