package moat.protocol.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The header-search form: decoding, unfolding, case, field-name boundaries (RFC 9051 section 6.4.4). */
class SearchFieldsTest {
    private static final byte[] MESSAGE = ("Received: from a by b\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= and\r\n"
            + " more\r\nTo: x@example.org\r\nTo-Do: nothing\r\nX-Null: a\0b\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);

    private static boolean match(byte[] fields, String name, String value) {
        return SearchFields.matches(fields, SearchFields.key(name), SearchFields.key(value));
    }

    @Test
    void cachedFormKeepsTheSearchedFieldsDecodedUnfoldedAndLowerCased() {
        byte[] f = SearchFields.cached(MimePart.parse(MESSAGE).headers());
        assertThat(new String(f, StandardCharsets.UTF_8)).isEqualTo("subject\0grüße and more\0to\0x@example.org\0");
        assertThat(match(f, "SUBJECT", "GRÜSSE")).as("no full case folding: ß stays ß").isFalse();
        assertThat(match(f, "Subject", "GRÜßE AND MORE")).isTrue();
        assertThat(match(f, "subject", "")).as("empty string: the field exists").isTrue();
        assertThat(match(f, "cc", "")).isFalse();
        assertThat(match(f, "to", "nothing")).as("To-Do is not To").isFalse();
        assertThat(match(f, "subject", "to")).isFalse();
    }

    @Test
    void onTheFlyFormHoldsOnlyTheNamedFieldsAndNeutralisesNul() {
        byte[] f = SearchFields.of(MimePart.parse(MESSAGE).headers(), Set.of("to-do", "x-null"));
        assertThat(match(f, "to-do", "NOTHING")).isTrue();
        assertThat(match(f, "x-null", "a b")).isTrue();
        assertThat(match(f, "received", "from")).isFalse();
        assertThat(SearchFields.holds(f, SearchFields.key("nothing"))).isTrue();
    }
}
