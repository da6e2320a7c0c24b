package moat.auth.psl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.net.IDN;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import moat.auth.TestVectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The official test cases of the list ({@code src/test/resources/vectors/psl/test_psl.txt}), every
 * one, run against the copy of the list Moat ships.
 */
class PublicSuffixListTest {
    private static final Pattern CASE = Pattern.compile("^checkPublicSuffix\\((null|'[^']*'), (null|'[^']*')\\);$");

    static Path dir() {
        return TestVectors.dir("psl");
    }

    @TestFactory
    Stream<DynamicTest> officialTestCasesPass() throws IOException {
        PublicSuffixList psl = PublicSuffixList.bundled();
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : Files.readAllLines(dir().resolve("test_psl.txt"))) {
            Matcher m = CASE.matcher(line.strip());
            if (!m.matches()) continue;
            String domain = unquote(m.group(1));
            String expected = unquote(m.group(2));
            tests.add(DynamicTest.dynamicTest(line.strip(), () -> {
                Optional<String> got = psl.registrableDomain(domain);
                // The list's cases give U-labels; the API answers A-labels.
                assertEquals(Optional.ofNullable(expected).map(e -> IDN.toASCII(e).toLowerCase()), got);
            }));
        }
        // 82 lines name checkPublicSuffix; 4 of them (the ".local" cases) are commented out in the file.
        assertEquals(78, tests.size(), "test_psl.txt holds 78 active cases");
        return tests.stream();
    }

    @Test
    void bundledListHoldsEveryRuleOfItsFileIncludingThePrivateSection() throws IOException {
        PublicSuffixList shipped = PublicSuffixList.bundled();
        long rules;
        try (var in = PublicSuffixList.class.getResourceAsStream(PublicSuffixList.BUNDLED)) {
            // Every line that is not blank or a comment is one rule (the file has no duplicates).
            rules = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("//")).count();
        }
        assertEquals(rules, shipped.size());
        assertEquals("example.co.uk", shipped.organizationalDomain("mail.Example.CO.uk."));
        assertEquals("moat.github.io", shipped.organizationalDomain("www.moat.github.io"), "private section");
    }

    @Test
    void organizationalDomainOfAPublicSuffixIsItself() throws IOException {
        PublicSuffixList psl = PublicSuffixList.parse(new StringReader("com\n*.ck\n!www.ck\n"));
        assertEquals("com", psl.organizationalDomain("com"));
        assertEquals("example.com", psl.organizationalDomain("a.b.example.com"));
        assertEquals("b.test.ck", psl.organizationalDomain("a.b.test.ck"));
        assertEquals("www.ck", psl.organizationalDomain("x.www.ck"));
        assertEquals("test.ck", psl.publicSuffix("b.test.ck"));
        assertEquals("ck", psl.publicSuffix("www.ck"));
        assertEquals("example.unlisted", psl.organizationalDomain("mail.example.unlisted"));
    }

    @Test
    void refusesAbsurdLines() {
        assertThrows(IOException.class, () -> PublicSuffixList.parse(new StringReader("a".repeat(2000))));
    }

    private static String unquote(String s) {
        return s.equals("null") ? null : s.substring(1, s.length() - 1);
    }
}
