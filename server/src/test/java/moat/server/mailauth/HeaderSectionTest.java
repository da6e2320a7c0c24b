package moat.server.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import moat.server.mailauth.HeaderSection.FromKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeaderSectionTest {
    private static HeaderSection of(String text) {
        return HeaderSection.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "From: {0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "a@example.com                              | SINGLE     | example.com",
            "Alice <alice@Example.COM>                  | SINGLE     | example.com",
            "\"Doe, John\" <j@example.com>              | SINGLE     | example.com",
            "(comment, with comma) j@example.com        | SINGLE     | example.com",
            "\"x <a@evil.example>\" <j@example.com>     | SINGLE     | example.com",
            "a@example.com, b@example.net               | SEVERAL    | -",
            "A <a@example.com>, B <b@example.net>       | SEVERAL    | -",
            "undisclosed: a@example.com;                | SEVERAL    | -",
            "<a@example.com> <b@example.net>            | SEVERAL    | -",
            "just text                                  | UNPARSABLE | -",
            "Alice <alice@example.com                   | UNPARSABLE | -"})
    void findsTheOneAuthorDomain(String value, FromKind kind, String domain) {
        HeaderSection.From f = of("Subject: x\r\nFrom: " + value.strip() + "\r\n\r\n").from();
        assertThat(f.kind()).isEqualTo(kind);
        assertThat(f.address().map(a -> a.domain().ascii()).orElse("-")).isEqualTo(domain);
    }

    @org.junit.jupiter.api.Test
    void foldedFieldsAndCountsAndFiltering() {
        HeaderSection h = of("From: Alice\r\n <alice@example.com>\r\nX-A: 1\r\nAuthentication-Results: us;\r\n\tspf=pass\r\nTo: b\r\n\r\n");
        assertThat(h.from().address().orElseThrow().toString()).isEqualTo("alice@example.com");
        assertThat(new String(h.without(f -> f.name().equals("authentication-results")), StandardCharsets.UTF_8))
                .isEqualTo("From: Alice\r\n <alice@example.com>\r\nX-A: 1\r\nTo: b\r\n\r\n");
        assertThat(of("From: a@x.example\r\nFrom: b@y.example\r\n\r\n").from().kind()).isEqualTo(FromKind.SEVERAL);
        assertThat(of("Subject: none\r\n").from().kind()).isEqualTo(FromKind.MISSING);
    }

    @org.junit.jupiter.api.Test
    void newestArcSealerIsTheHighestInstance() {
        HeaderSection h = of("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=first.example; s=s; b=x\r\n"
                + "ARC-Seal: i=2; a=rsa-sha256; cv=pass; d=Lists.Example; s=s; b=y\r\nFrom: a@b.example\r\n\r\n");
        assertThat(h.newestArcSealer()).contains("lists.example");
    }
}
