package moat.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The macro expander, one case a line; the first block is RFC 7208 section 7.4 verbatim. */
class MacroStringTest {

    /** {@code explanation}: parse as exp text (spaces and c/r/t allowed). {@code want} null: a syntax error. */
    record Case(String ip, boolean explanation, String macro, String want) {}

    private static final List<Case> CASES = List.of(
            // RFC 7208 section 7.4, sender strong-bad@email.example.com, client 192.0.2.3
            new Case("192.0.2.3", false, "%{s}", "strong-bad@email.example.com"),
            new Case("192.0.2.3", false, "%{o}", "email.example.com"),
            new Case("192.0.2.3", false, "%{d}", "email.example.com"),
            new Case("192.0.2.3", false, "%{d4}", "email.example.com"),
            new Case("192.0.2.3", false, "%{d3}", "email.example.com"),
            new Case("192.0.2.3", false, "%{d2}", "example.com"),
            new Case("192.0.2.3", false, "%{d1}", "com"),
            new Case("192.0.2.3", false, "%{dr}", "com.example.email"),
            new Case("192.0.2.3", false, "%{d2r}", "example.email"),
            new Case("192.0.2.3", false, "%{l}", "strong-bad"),
            new Case("192.0.2.3", false, "%{l-}", "strong.bad"),
            new Case("192.0.2.3", false, "%{lr}", "strong-bad"),
            new Case("192.0.2.3", false, "%{lr-}", "bad.strong"),
            new Case("192.0.2.3", false, "%{l1r-}", "strong"),
            new Case("192.0.2.3", false, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
            new Case("192.0.2.3", false, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
            new Case("192.0.2.3", false, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
            new Case("192.0.2.3", false, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
            new Case("192.0.2.3", false, "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
            new Case("2001:db8::cb01", false, "%{ir}.%{v}._spf.%{d2}",
                    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"),
            // escapes, URL-escaping (upper-case letters), other letters
            new Case("192.0.2.3", false, "%%%_%-", "% %20"),
            new Case("192.0.2.3", false, "%{S}", "strong-bad%40email.example.com"),
            new Case("192.0.2.3", false, "%{L}", "strong-bad"),
            new Case("192.0.2.3", false, "%{h}", "mx.example.org"),
            new Case("192.0.2.3", false, "%{p}", "mx.example.org"),
            new Case("192.0.2.3", false, "%{d999}", "email.example.com"),
            new Case("192.0.2.3", false, "%{l+-}", "strong.bad"),
            new Case("192.0.2.3", false, "%{dR}", "com.example.email"),
            new Case("2001:db8::cb01", true, "from %{c} at %{t} via %{r}", "from 2001:db8::cb01 at 1396310400 via mx.receiver.example"),
            new Case("192.0.2.3", true, "%{c}/%{v}", "192.0.2.3/in-addr"),
            // syntax errors: RFC 7208 section 7.1 and 7.3
            new Case("192.0.2.3", false, "%{x}", null),
            new Case("192.0.2.3", false, "%{d0}", null),
            new Case("192.0.2.3", false, "%{d", null),
            new Case("192.0.2.3", false, "%a", null),
            new Case("192.0.2.3", false, "foo%", null),
            new Case("192.0.2.3", false, "%{d:}", null),
            new Case("192.0.2.3", false, "%{}", null),
            new Case("192.0.2.3", false, "%{c}", null),
            new Case("192.0.2.3", false, "%{r}", null),
            new Case("192.0.2.3", false, "%{t}", null),
            new Case("192.0.2.3", false, "a b", null),
            new Case("192.0.2.3", true, "line\r\nbreak", null),
            new Case("192.0.2.3", true, "caf\u00e9", null));

    @TestFactory
    Stream<DynamicTest> expandsAsRfc7208Section7Says() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.macro() + " -> " + c.want(), () -> {
            MacroContext ctx = new MacroContext("strong-bad@email.example.com", "strong-bad", "email.example.com",
                    "email.example.com", InetAddress.getByName(c.ip()), "mx.example.org", "mx.receiver.example",
                    1396310400L, d -> "mx.example.org");
            if (c.want() == null) {
                assertThatThrownBy(() -> parse(c)).isInstanceOf(SpfSyntaxException.class);
            } else {
                assertThat(parse(c).expand(ctx)).isEqualTo(c.want());
            }
        }));
    }

    private static MacroString parse(Case c) throws SpfSyntaxException {
        return c.explanation() ? MacroString.parseExplanation(c.macro()) : MacroString.parse(c.macro());
    }
}
