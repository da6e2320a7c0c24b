package moat.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Text from the peer, on its way into a reply line, a header field or a log: one rule per destination. */
class PeerTextTest {
    /** Inputs a hostile client or server sends: every one must come out on one line, without controls. */
    @ParameterizedTest
    @ValueSource(strings = {
            "mx.example\r\n250 OK",                      // reply injection: a second reply line
            "evil\r\nX-Injected: yes",                   // header injection: a new field
            "a\nb", "a\rb", "nul\u0000byte", "esc\u001b[2Jclear", "del\u007f", "tab\there",
            "next\u0085line",                            // C1 NEL: a line break to some parsers
            "line\u2028sep", "para\u2029sep",            // Unicode line and paragraph separators
            "bidi\u202eevil",                            // right-to-left override
            "lone\ud800surrogate"})
    void noDestinationKeepsALineBreakOrControl(String hostile) {
        for (String out : new String[] {PeerText.reply(hostile), PeerText.headerWord(hostile),
                PeerText.asciiLine(hostile, 100), PeerText.line(hostile, 100), PeerText.token(hostile, 100)}) {
            assertThat(out).doesNotContain("\r", "\n", "\u0000", "\u0085", "\u2028", "\u2029", "\u202e", "\u007f", "\t", "\u001b")
                    .isNotEmpty();
            assertThat(out.chars().noneMatch(c -> Character.isSurrogate((char) c))).as(out).isTrue();
        }
    }

    @Test
    void replyTextIsPrintableAsciiWithQuestionMarks() {
        assertThat(PeerText.reply("mx.example\r\n250 OK")).isEqualTo("mx.example??250 OK");
        assertThat(PeerText.reply("caf\u00e9 \ud83d\udce7")).isEqualTo("caf? ?"); // one ? per code point
        assertThat(PeerText.reply("x".repeat(100_000))).hasSize(PeerText.REPLY_MAX);
    }

    @Test
    void headerWordCannotEndTheWordTheCommentOrTheClause() {
        assertThat(PeerText.headerWord("helo (forged) by x; y\\z")).isEqualTo("helo__forged__by_x__y_z");
        assertThat(PeerText.headerWord("evil\r\nX-Injected: yes")).isEqualTo("evil__X-Injected:_yes");
        assertThat(PeerText.headerWord("j\u00f6rg@b\u00fccher.example")).isEqualTo("j\u00f6rg@b\u00fccher.example"); // RFC 6532 UTF-8 kept
        assertThat(PeerText.headerWord("a\u00a0b\u2028c")).isEqualTo("a_b_c");
        assertThat(PeerText.headerWord("x".repeat(100_000))).hasSize(PeerText.WORD_MAX);
        assertThat(PeerText.headerWord("x".repeat(PeerText.WORD_MAX - 1) + "\ud83d\udce7")).hasSize(PeerText.WORD_MAX - 1);
    }

    @Test
    void asciiLineIsPrintableAsciiWithSingleSpaces() {
        assertThat(PeerText.asciiLine("  body hash\r\n\t did not   verify \u00e9 ", 100)).isEqualTo("body hash did not verify");
        assertThat(PeerText.asciiLine("x".repeat(100_000), 100)).hasSize(100);
        assertThat(PeerText.asciiLine("a".repeat(99) + " b", 100)).isEqualTo("a".repeat(99));
    }

    @Test
    void lineKeepsUtf8AndTurnsEachRunOfBreakersIntoOneSpace() {
        assertThat(PeerText.line("550 5.1.1 <j\u00f6rg@example>\r\n\tunknown", 400)).isEqualTo("550 5.1.1 <j\u00f6rg@example> unknown");
        assertThat(PeerText.line("a\u0000\u0001\u0002b", 400)).isEqualTo("a b");
        assertThat(PeerText.line("x".repeat(100_000), 400)).hasSize(400);
        assertThat(PeerText.line("x".repeat(399) + "\ud83d\udce7", 400)).hasSize(399); // no half surrogate pair
    }

    @Test
    void tokenDropsWhatCouldSplitIt() {
        assertThat(PeerText.token(" example.org;\r\n s=evil ", 255)).isEqualTo("example.orgs=evil");
        assertThat(PeerText.token("b\u00fccher.example", 255)).isEqualTo("b\u00fccher.example");
        assertThat(PeerText.token("x".repeat(100_000), 255)).hasSize(255);
    }
}
