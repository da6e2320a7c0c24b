package moat.protocol.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import moat.core.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DataDecoderTest {
    private static final SmtpLimits LIMITS = SmtpLimits.defaults();

    record Run(String body, Optional<Reason> violation, boolean ended, int consumed) {}

    static Run data(String wire, int chunk) throws IOException {
        DataDecoder d = DataDecoder.forData(LIMITS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = wire.getBytes(StandardCharsets.ISO_8859_1);
        int consumed = 0;
        while (consumed < b.length && !d.ended()) {
            consumed += d.feed(b, consumed, Math.min(chunk, b.length - consumed), out);
        }
        return new Run(out.toString(StandardCharsets.ISO_8859_1), d.violation(), d.ended(), consumed);
    }

    @Test
    void endsAtCrLfDotCrLfAndLeavesPipelinedBytes() throws IOException {
        Run r = data("Subject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n", 1000);
        assertThat(r.ended()).isTrue();
        assertThat(r.violation()).isEmpty();
        assertThat(r.body()).isEqualTo("Subject: x\r\n\r\nhello\r\n");
        assertThat(r.consumed()).isEqualTo("Subject: x\r\n\r\nhello\r\n.\r\n".length());
    }

    @Test
    void unstuffsLeadingDots() throws IOException {
        Run r = data("a\r\n..b\r\n...\r\n.\r\n", 1000);
        assertThat(r.body()).isEqualTo("a\r\n.b\r\n..\r\n");
    }

    @Test
    void emptyMessageIsJustTheTerminator() throws IOException {
        Run r = data(".\r\n", 1000);
        assertThat(r.ended()).isTrue();
        assertThat(r.body()).isEmpty();
    }

    @Test
    void sameResultWhenFedOneByteAtATime() throws IOException {
        String wire = "H: v\r\n\r\n..x\r\nline\r\n.\r\nNEXT";
        assertThat(data(wire, 1).body()).isEqualTo(data(wire, 4096).body());
        assertThat(data(wire, 1).consumed()).isEqualTo(wire.length() - 4);
    }

    /** SMTP smuggling: none of these may end the data, and each refuses the message. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bare LF dot bare LF   | a\\n.\\nMAIL FROM:<evil@x>\\r\\n.\\r\\n          | data.bare_lf",
            "bare CR dot bare CR   | a\\r.\\rMAIL FROM:<evil@x>\\r\\n.\\r\\n          | data.bare_cr",
            "bare LF dot CRLF      | a\\n.\\r\\nMAIL FROM:<evil@x>\\r\\n.\\r\\n       | data.bare_lf",
            "CRLF dot bare LF      | a\\r\\n.\\nMAIL FROM:<evil@x>\\r\\n.\\r\\n       | data.bare_lf",
            "CRLF dot bare CR      | a\\r\\n.\\rMAIL FROM:<evil@x>\\r\\n.\\r\\n       | data.bare_cr",
            "bare LF in header     | Subject: a\\nBcc: x\\r\\n\\r\\nb\\r\\n.\\r\\n      | data.bare_lf",
            "bare CR in body       | a\\rb\\r\\n.\\r\\n                              | data.bare_cr",
            "CR CR LF              | a\\r\\r\\n.\\r\\n                                | data.bare_cr",
    })
    void smugglingAttemptsNeverEndEarlyAndAreRefused(String name, String wire, String reason) throws IOException {
        String w = wire.strip().replace("\\r", "\r").replace("\\n", "\n");
        Run r = data(w, 1000);
        assertThat(r.ended()).isTrue();
        assertThat(r.consumed()).as("only the final CRLF.CRLF ends the data").isEqualTo(w.length());
        assertThat(r.violation()).map(Reason::id).contains(reason.strip());
        assertThat(r.body()).doesNotContain("MAIL FROM");
    }

    @Test
    void overlongLineIsRefused() throws IOException {
        Run r = data("x".repeat(LIMITS.maxTextLine()) + "\r\n.\r\n", 1000);
        assertThat(r.violation()).contains(Reason.TEXT_LINE_TOO_LONG);
        assertThat(r.ended()).isTrue();
    }

    @Test
    void lineAtTheLimitIsAccepted() throws IOException {
        Run r = data("x".repeat(LIMITS.maxTextLine() - 2) + "\r\n.\r\n", 1000);
        assertThat(r.violation()).isEmpty();
    }

    @Test
    void oversizeMessageIsRefusedWhileStreamingButEndIsStillFound() throws IOException {
        SmtpLimits small = new SmtpLimits(2048, 1000, 1024, 65536, 100, 100, 10,
                LIMITS.commandTimeout(), LIMITS.dataTimeout(), LIMITS.maxSessionDuration(), SmtpLimits.VrfyMode.OFF);
        DataDecoder d = DataDecoder.forData(small);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] line = ("y".repeat(98) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        d.feed("\r\n".getBytes(StandardCharsets.US_ASCII), 0, 2, out);
        for (int i = 0; i < 1000; i++) d.feed(line, 0, line.length, out);
        byte[] end = ".\r\n".getBytes(StandardCharsets.US_ASCII);
        d.feed(end, 0, end.length, out);
        assertThat(d.ended()).isTrue();
        assertThat(d.violation()).contains(Reason.MESSAGE_TOO_LARGE);
        assertThat(out.size()).as("nothing past the limit reaches the sink").isLessThanOrEqualTo(65536 + 8 * 1024 + 16);
    }

    @Test
    void headerSectionIsBounded() throws IOException {
        Run r = data(("X-H: " + "z".repeat(90) + "\r\n").repeat(3000) + "\r\nbody\r\n.\r\n", 8192);
        assertThat(r.violation()).contains(Reason.HEADER_TOO_LARGE);
    }

    @Test
    void bdatChecksBareLineEndingsAcrossChunks() throws IOException {
        DataDecoder d = DataDecoder.forBdat(LIMITS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] a = "a\r".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "\nb\r\n".getBytes(StandardCharsets.US_ASCII);
        d.feed(a, 0, a.length, out);
        d.feed(b, 0, b.length, out);
        d.finish();
        assertThat(d.violation()).isEmpty();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("a\r\nb\r\n");

        DataDecoder bad = DataDecoder.forBdat(LIMITS);
        byte[] c = "a\r".getBytes(StandardCharsets.US_ASCII);
        bad.feed(c, 0, c.length, out);
        bad.finish();
        assertThat(bad.violation()).contains(Reason.DATA_BARE_CR);
    }

    @Test
    void bdatDoesNotUnstuffDots() throws IOException {
        DataDecoder d = DataDecoder.forBdat(LIMITS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] a = "..a\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(d.feed(a, 0, a.length, out)).isEqualTo(a.length);
        d.finish();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("..a\r\n.\r\n");
    }
}
