package moat.protocol.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Out's own buffer: ASCII copied as is, other text as UTF-8, numbers without a String, truncate. */
class OutTest {
    private static String str(Out o) {
        return new String(o.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void textNumbersAndTruncate() {
        Out o = new Out().text("* ").number(0).text(" ").number(4294967295L).text(" ").number(-7).text(" ")
                .number(Long.MAX_VALUE);
        assertThat(str(o)).isEqualTo("* 0 4294967295 -7 " + Long.MAX_VALUE);
        int mark = o.size();
        o.text(" Grüße \uD83D\uDE00").crlf();
        assertThat(o.bytes()).hasSize(mark + " Grüße ".getBytes(StandardCharsets.UTF_8).length + 4 + 2);
        assertThat(str(o)).endsWith(" Grüße \uD83D\uDE00\r\n");
        o.truncate(mark);
        assertThat(str(o)).isEqualTo("* 0 4294967295 -7 " + Long.MAX_VALUE);
        assertThatThrownBy(() -> o.truncate(mark + 1)).isInstanceOf(IllegalArgumentException.class);
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 10_000; i++) big.append((char) ('a' + i % 26));
        assertThat(new Out().text(big.toString()).size()).isEqualTo(10_000);
    }

    @Test
    void largeResponsesAreBlocksAndTruncateCrossesThem() {
        Out o = new Out();
        byte[] chunk = new byte[1000];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 100; i++) o.raw(chunk);
        int mark = o.size();
        assertThat(mark).isEqualTo(100_000);
        for (int i = 0; i < 100; i++) o.raw(chunk);
        o.text("tail");
        assertThat(o.parts()).allSatisfy(p -> assertThat(p.length).isLessThanOrEqualTo(Out.BLOCK));
        assertThat(o.parts().stream().mapToInt(p -> p.length).sum()).isEqualTo(200_004);
        o.truncate(mark); // back across a block boundary
        o.text("end");
        byte[] all = o.bytes();
        assertThat(all).hasSize(100_003);
        assertThat(new String(all, 100_000, 3, StandardCharsets.US_ASCII)).isEqualTo("end");
        assertThat(o.parts().stream().mapToInt(p -> p.length).sum()).isEqualTo(100_003);
        assertThat(new ImapAction.Send(o.parts()).bytes()).isEqualTo(all);
    }
}
