package moat.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Section 3.4 canonicalisation, including the section 3.4.6 example, fed in every chunking. */
class CanonicalizationTest {

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "{0} body \"{1}\" -> \"{2}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "SIMPLE  | ' C \\r\\nD \\t E\\r\\n\\r\\n\\r\\n' | ' C \\r\\nD \\t E\\r\\n'",
            "RELAXED | ' C \\r\\nD \\t E\\r\\n\\r\\n\\r\\n' | ' C\\r\\nD E\\r\\n'",
            "SIMPLE  | ''                                  | '\\r\\n'",
            "RELAXED | ''                                  | ''",
            "SIMPLE  | '\\r\\n\\r\\n'                      | '\\r\\n'",
            "RELAXED | ' \\t\\r\\n \\r\\n'                 | ''",
            "SIMPLE  | 'no final line end'                | 'no final line end\\r\\n'",
            "RELAXED | 'a  b \\t'                          | 'a b\\r\\n'",
            "RELAXED | 'a\\r\\n  \\r\\nb\\r\\n'            | 'a\\r\\n\\r\\nb\\r\\n'",
            "SIMPLE  | 'a\\rb\\nc\\r\\n'                   | 'a\\rb\\nc\\r\\n'",
            "RELAXED | 'x\\r'                              | 'x\\r\\r\\n'",
    })
    void bodyCanonicalisesInAnyChunking(Canonicalization c, String body, String want) throws Exception {
        byte[] in = unescape(body).getBytes(StandardCharsets.ISO_8859_1);
        byte[] expected = sha256(unescape(want));
        for (int chunk : new int[] {1, 2, 3, 7, Math.max(1, in.length)}) {
            BodyHasher h = new BodyHasher(c, "SHA-256", OptionalLong.empty());
            for (int i = 0; i < in.length; i += chunk) h.update(in, i, Math.min(chunk, in.length - i));
            BodyHasher.Outcome o = h.finish();
            assertThat(o.hash()).as("chunk %d", chunk).isEqualTo(expected);
            assertThat(o.canonicalLength()).isEqualTo(unescape(want).length());
        }
    }

    @Test
    void lengthLimitHashesOnlyThePrefixAndReportsWhereItEnds() throws Exception {
        byte[] in = "abc\r\ndef\r\nappended\r\n".getBytes(StandardCharsets.ISO_8859_1);
        BodyHasher h = new BodyHasher(Canonicalization.SIMPLE, "SHA-256", OptionalLong.of(10));
        h.update(in, 0, in.length);
        BodyHasher.Outcome o = h.finish();
        assertThat(o.hash()).isEqualTo(sha256("abc\r\ndef\r\n"));
        assertThat(o.canonicalLength()).isEqualTo(in.length);
        assertThat(o.signedRawLength()).isEqualTo(10);
        assertThat(o.rawLength()).isEqualTo(in.length);
    }

    @Test
    void headersCanonicaliseAsInSection346() throws Exception {
        byte[] block = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        List<HeaderField> f = HeaderField.parse(block, 1024, 10);
        assertThat(f).extracting(HeaderField::name).containsExactly("A", "B");
        assertThat(Canonicalization.RELAXED.header(f.get(0)) + Canonicalization.RELAXED.header(f.get(1)))
                .isEqualTo("a:X\r\nb:Y Z\r\n");
        assertThat(Canonicalization.SIMPLE.header(f.get(0)) + Canonicalization.SIMPLE.header(f.get(1)))
                .isEqualTo("A: X\r\nB : Y\t\r\n\tZ  \r\n");
    }

    @Test
    void repeatedHeadersAreTakenBottomUpAndExtraMentionsAreNull() {
        List<HeaderField> f = List.of(new HeaderField("X", "X: 1"), new HeaderField("Y", "Y: y"),
                new HeaderField("X", "X: 2"));
        byte[] data = HeaderHash.data(f, List.of("x", "x", "x", "y"), Canonicalization.SIMPLE, "DKIM-Signature",
                "DKIM-Signature: b=");
        assertThat(new String(data, StandardCharsets.ISO_8859_1))
                .isEqualTo("X: 2\r\nX: 1\r\nY: y\r\nDKIM-Signature: b=");
    }
}
