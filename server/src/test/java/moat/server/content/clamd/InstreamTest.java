package moat.server.content.clamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import moat.server.content.clamd.Instream.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The INSTREAM framing and every reply shape clamd gives (and some it never should), without sockets. */
class InstreamTest {

    @ParameterizedTest(name = "[{0}] -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "stream: OK                                        | clean  |",
            "'stream: OK\n'                                    | clean  |",
            "stream: Eicar-Test-Signature FOUND                | found  | Eicar-Test-Signature",
            "stream: Moat.Test.EICAR.UNOFFICIAL FOUND          | found  | Moat.Test.EICAR.UNOFFICIAL",
            "stream: Heuristics.Encrypted.Zip FOUND            | found  | Heuristics.Encrypted.Zip",
            "INSTREAM size limit exceeded. ERROR               | failed | INSTREAM size limit exceeded.",
            "stream: Can't allocate memory ERROR               | failed | Can't allocate memory",
            "UNKNOWN COMMAND                                   | failed | unexpected reply: UNKNOWN COMMAND",
            "''                                                | failed | no reply (connection closed)",
            "stream: FOUND                                     | failed | unexpected reply: stream: FOUND",
            "stream:  FOUND                                    | failed | malformed FOUND reply: stream:  FOUND",
            "stream: two words FOUND                           | failed | malformed FOUND reply: stream: two words FOUND",
            "stream: ok                                        | failed | unexpected reply: stream: ok",
            "PONG                                              | failed | unexpected reply: PONG",
            "1: stream: OK                                     | failed | unexpected reply: 1: stream: OK",
    })
    void repliesMapToResults(String reply, String kind, String detail) {
        Result r = Instream.parse(reply);
        switch (kind) {
            case "clean" -> assertThat(r).isEqualTo(new Result.Clean());
            case "found" -> assertThat(r).isEqualTo(new Result.Found(detail));
            default -> assertThat(r).isEqualTo(new Result.Failed(detail));
        }
    }

    @Test
    void garbageIsAFailureThatLogsOnlyPrintableBoundedText() {
        String garbage = "\u0001\u00ff\r\nstream: \u001b[31m" + "x".repeat(5000);
        Result r = Instream.parse(garbage);
        assertThat(r).isInstanceOf(Result.Failed.class);
        String error = ((Result.Failed) r).error();
        assertThat(error).matches("[\\x20-\\x7e]*").hasSizeLessThan(260);
        // A "signature" with control characters or without bound is not a signature.
        assertThat(Instream.parse("stream: Evil\u001b[2J FOUND")).isInstanceOf(Result.Failed.class);
        assertThat(Instream.parse("stream: " + "A".repeat(300) + " FOUND")).isInstanceOf(Result.Failed.class);
    }

    @Test
    void chunkLengthsAreFourOctetsBigEndian() {
        assertThat(Instream.chunkHeader(0)).containsExactly(0, 0, 0, 0);
        assertThat(Instream.chunkHeader(65536)).containsExactly(0, 1, 0, 0);
        assertThat(Instream.chunkHeader(0x01020304)).containsExactly(1, 2, 3, 4);
        assertThat(Instream.chunkHeader(Integer.MAX_VALUE)).containsExactly(0x7f, 0xff, 0xff, 0xff);
        assertThat(Instream.END).containsExactly(0, 0, 0, 0);
        assertThat(new String(Instream.COMMAND, StandardCharsets.US_ASCII)).isEqualTo("zINSTREAM\0");
        assertThatThrownBy(() -> Instream.chunkHeader(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReplyEndsAtItsNulOrWhenClamdCloses() {
        byte[] buf = "stream: OK\0trailing".getBytes(StandardCharsets.US_ASCII);
        assertThat(Instream.frame(buf, 5, false)).isEmpty();
        assertThat(Instream.frame(buf, 5, true)).contains("strea");
        assertThat(Instream.frame(buf, buf.length, false)).contains("stream: OK");
        assertThat(Instream.frame(new byte[0], 0, true)).contains("");
        byte[] big = new byte[Instream.MAX_REPLY];
        java.util.Arrays.fill(big, (byte) 'x');
        assertThat(Instream.frame(big, big.length, false)).as("bounded: no NUL within MAX_REPLY").isPresent();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "unix:/run/clamav/clamd.ctl | unix:/run/clamav/clamd.ctl",
            "tcp:127.0.0.1:3310         | tcp:127.0.0.1:3310",
            "tcp:[::1]:3310             | tcp:[::1]:3310",
            "tcp:clamav.internal:3310   | tcp:clamav.internal:3310",
    })
    void addressesParse(String written, String shown) {
        assertThat(ClamdAddress.parse(written).toString()).isEqualTo(shown);
    }

    @Test
    void badAddressesAreRefusedWithTheirFault() {
        assertThat(ClamdAddress.parse("unix:/a/b")).isEqualTo(new ClamdAddress.Unix(Path.of("/a/b")));
        assertThat(ClamdAddress.parse("tcp:[::1]:1")).isEqualTo(new ClamdAddress.Tcp("::1", 1));
        for (String bad : new String[] {"", "/run/clamd.ctl", "unix:", "unix:relative.sock", "tcp:", "tcp:host",
                "tcp::3310", "tcp:host:0", "tcp:host:65536", "tcp:host:x", "http://host:3310"}) {
            assertThat(ClamdAddress.valid(bad)).as(bad).isFalse();
        }
        assertThat(Optional.of("unix:/x").filter(ClamdAddress::valid)).isPresent();
    }
}
