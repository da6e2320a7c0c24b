package moat.protocol.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Pop3MessageEncoderTest {
    static final String MSG = "A: 1\r\nB: 2\r\n\r\nline1\r\n.dot\r\n.\r\nline4\r\n";

    /** Feeds the input in chunks of {@code chunk} bytes so state across buffer edges is exercised. */
    static String encode(MessageEncoder e, String in, int chunk) throws IOException {
        byte[] b = in.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < b.length && !e.satisfied(); i += chunk) e.feed(b, i, Math.min(chunk, b.length - i), out);
        e.finish(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource({"1", "2", "3", "7", "4096"})
    void retrDotStuffsAndTerminates(int chunk) throws IOException {
        assertThat(encode(MessageEncoder.retr(), MSG, chunk))
                .isEqualTo("A: 1\r\nB: 2\r\n\r\nline1\r\n..dot\r\n..\r\nline4\r\n.\r\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0   | A: 1\\r\\nB: 2\\r\\n\\r\\n.\\r\\n
            1   | A: 1\\r\\nB: 2\\r\\n\\r\\nline1\\r\\n.\\r\\n
            2   | A: 1\\r\\nB: 2\\r\\n\\r\\nline1\\r\\n..dot\\r\\n.\\r\\n
            99  | A: 1\\r\\nB: 2\\r\\n\\r\\nline1\\r\\n..dot\\r\\n..\\r\\nline4\\r\\n.\\r\\n
            """)
    void topSendsHeaderAndNBodyLines(long n, String expected) throws IOException {
        String want = expected.replace("\\r", "\r").replace("\\n", "\n");
        for (int chunk : new int[] {1, 5, 4096}) assertThat(encode(MessageEncoder.top(n), MSG, chunk)).isEqualTo(want);
    }

    @Test
    void addsTheMissingFinalCrlfAndRepairsBareLf() throws IOException {
        assertThat(encode(MessageEncoder.retr(), "A: 1\r\n\r\nno newline", 3)).isEqualTo("A: 1\r\n\r\nno newline\r\n.\r\n");
        assertThat(encode(MessageEncoder.retr(), "A: 1\n\n.x\nend\r", 2)).isEqualTo("A: 1\r\n\r\n..x\r\nend\r\n.\r\n");
        assertThat(encode(MessageEncoder.retr(), "", 1)).isEqualTo(".\r\n");
    }
}
