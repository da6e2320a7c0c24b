package moat.protocol.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImapParsingTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "INBOX|INBOX", "Caf&AOk-|Café", "&-|&", "&ZeVnLIqe-|日本語", "a&-b|a&b", "Sent/&AOk-t&AOk-|Sent/été"})
    void decodesModifiedUtf7(String wire, String name) {
        assertThat(MailboxName.decode(wire)).contains(name);
        assertThat(MailboxName.encode(name)).isEqualTo(wire);
    }

    @ParameterizedTest
    @ValueSource(strings = {"&AOk", "&AGE-", "&AOk-&AOk-", "&AO-", "&2D0-", "a\u0001b", "&!!-"})
    void refusesMalformedModifiedUtf7(String wire) {
        assertThat(MailboxName.fromWire(wire, false)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a", "a/", "a//b", "a*", "b%"})
    void refusesUnusableNames(String name) {
        assertThat(MailboxName.fromWire(name, true)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1:*:*", "4294967296", "0", "1:0", "01", "1,,2", "", "a", "1:", "-1"})
    void refusesBadSequenceSets(String set) {
        assertThatThrownBy(() -> SequenceSet.parse(set)).isInstanceOf(SyntaxError.class);
    }

    @Test
    void sequenceSetsResolveStarAndReversedRanges() throws Exception {
        SequenceSet s = SequenceSet.parse("5:3,9,*");
        assertThat(List.of(2L, 3L, 4L, 5L, 9L, 12L)).map(n -> s.contains(n, 12)).containsExactly(false, true, true, true,
                true, true);
        assertThat(SequenceSet.parse("4294967295").contains(4294967295L, 1)).isTrue();
    }

    @Test
    void argsReadLiteralsQuotedStringsAndBoundNesting() throws Exception {
        Args a = new Args("{3}\r\nabc \"q\\\"x\" ((((x))))".getBytes(StandardCharsets.UTF_8), 3);
        assertThat(a.astring()).isEqualTo("abc");
        a.sp();
        assertThat(a.astring()).isEqualTo("q\"x");
        a.sp();
        a.open();
        a.open();
        a.open();
        assertThatThrownBy(a::open).isInstanceOf(SyntaxError.class).hasMessageContaining("nested");
        assertThatThrownBy(() -> new Args("{10}\r\nabc".getBytes(StandardCharsets.US_ASCII), 3).string())
                .isInstanceOf(SyntaxError.class);
    }

    @Test
    void mimePartsAreSlicesOfTheOriginalOctets() {
        String msg = "Content-Type: multipart/mixed; boundary=XX\r\nSubject: s\r\n\r\npreamble\r\n--XX\r\n"
                + "Content-Type: text/plain\r\n\r\npart one\r\n--XX\r\nContent-Type: message/rfc822\r\n\r\n"
                + "Subject: inner\r\n\r\ninner body\r\n--XX--\r\n";
        MimePart m = MimePart.parse(msg.getBytes(StandardCharsets.US_ASCII));
        assertThat(m.children()).hasSize(2);
        MimePart one = m.at(List.of(1)).orElseThrow();
        assertThat(new String(one.slice(one.bodyStart(), one.end()), StandardCharsets.US_ASCII)).isEqualTo("part one");
        MimePart inner = m.at(List.of(2)).orElseThrow().message().orElseThrow();
        assertThat(inner.header("Subject")).contains("inner");
        assertThat(m.at(List.of(3))).isEqualTo(Optional.empty());
        Out o = new Out();
        Structure.body(o, m, false);
        assertThat(new String(o.bytes(), StandardCharsets.US_ASCII))
                .startsWith("((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 8 0)(\"MESSAGE\" \"RFC822\"")
                .endsWith(" \"MIXED\")");
    }

    @Test
    void deeplyNestedMimeIsBounded() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\r\n\r\n--b")
                .append(i).append("\r\n");
        MimePart m = MimePart.parse(sb.toString().getBytes(StandardCharsets.US_ASCII));
        int depth = 0;
        while (!m.children().isEmpty()) {
            m = m.children().getFirst();
            depth++;
        }
        assertThat(depth).isLessThanOrEqualTo(MimePart.MAX_DEPTH);
    }

    @Test
    void headerValuesAreUnfolded() {
        assertThat(MimePart.unfold("Subject: a\r\n b\r\n\tc\r\n", 8)).isEqualTo("a b c");
        assertThat(MimePart.unfold("Subject:  plain \r\n", 8)).isEqualTo("plain");
        assertThat(MimePart.unfold("X: lf\n only\n", 2)).isEqualTo("lf only");
        assertThat(MimePart.unfold("X: none", 2)).isEqualTo("none");
        MimePart m = MimePart.parse("Subject: one\r\n  two\r\nTo: x@example.org\r\n\r\nbody".getBytes(StandardCharsets.US_ASCII));
        assertThat(m.header("subject")).contains("one  two");
        assertThat(m.header("To")).contains("x@example.org");
    }

    private static String decoded(String cte, String body) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        return TransferDecoding.decode(java.util.Optional.ofNullable(cte), b, 0, b.length)
                .map(x -> new String(x, StandardCharsets.ISO_8859_1)).orElse("<unknown>");
    }

    @Test
    void transferEncodingsAreUndoneLeniently() {
        assertThat(decoded("base64", "aGVs\r\nbG8=\r\n")).isEqualTo("hello");
        assertThat(decoded("BASE64", "aGVsbG8*!")).as("outside the alphabet: ignored").isEqualTo("hello");
        assertThat(decoded("base64", "")).isEmpty();
        assertThat(decoded("quoted-printable", "a=3Db=\r\nc=\nd =  \r\ne")).isEqualTo("a=bcd e");
        assertThat(decoded("quoted-printable", "bad =ZZ end=")).as("malformed kept").isEqualTo("bad =ZZ end");
        assertThat(decoded(null, "as is")).isEqualTo("as is");
        assertThat(decoded(" 8BIT ", "as is")).isEqualTo("as is");
        assertThat(decoded("x-uuencode", "begin")).isEqualTo("<unknown>");
    }
}
