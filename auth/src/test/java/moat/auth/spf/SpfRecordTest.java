package moat.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import moat.auth.spf.SpfRecord.Mechanism;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The record parser, one case a line: the record and its parse, rendered compactly, or null for permerror. */
class SpfRecordTest {

    record Case(String record, String want) {}

    private static final List<Case> CASES = List.of(
            new Case("v=spf1", ""),
            new Case("V=SpF1 -ALL", "- all"),
            new Case("v=spf1  a   mx -all ", "+ a/32//128, + mx/32//128, - all"),
            new Case("v=spf1 a:%{d}/24//64 ~mx:mail.example.com//48", "+ a:%{d}/24//64, ~ mx:mail.example.com/32//48"),
            new Case("v=spf1 ?ptr ptr:example.com.", "? ptr, + ptr:example.com."),
            new Case("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip4:10.1.2.3", "+ ip4:192.0.2.0/24, + ip6:2001:db8:0:0:0:0:0:0/32, + ip4:10.1.2.3/32"),
            new Case("v=spf1 include:_spf.example.com exists:%{ir}.%{v}._spf.%{d2}", "+ include:_spf.example.com, + exists:%{ir}.%{v}._spf.%{d2}"),
            new Case("v=spf1 redirect=_spf.example.com exp=explain.%{d}", "redirect=_spf.example.com, exp=explain.%{d}"),
            new Case("v=spf1 moo.cow-far_out=man:dog/cat -all", "- all"),
            new Case("v=spf1 a:example.com. -all", "+ a:example.com./32//128, - all"),
            new Case("v=spf1 a:foo-bar.1-2 -all", "+ a:foo-bar.1-2/32//128, - all"),
            // permerror: section 4.6 says every syntax error anywhere in the record counts
            new Case("v=spf1 -all foo", null),
            new Case("v=spf1 -all a:", null),
            new Case("v=spf1 all:example.com", null),
            new Case("v=spf1 all/24", null),
            new Case("v=spf1 ptr/0", null),
            new Case("v=spf1 include", null),
            new Case("v=spf1 exists", null),
            new Case("v=spf1 a/33", null),
            new Case("v=spf1 a//129", null),
            new Case("v=spf1 a/024", null),
            new Case("v=spf1 ip4:192.0.2.0/33", null),
            new Case("v=spf1 ip4:192.0.2", null),
            new Case("v=spf1 ip4:192.0.2.256", null),
            new Case("v=spf1 ip4:192.0.02.1", null),
            new Case("v=spf1 ip6:1.2.3.4", null),
            new Case("v=spf1 ip6:::1/129", null),
            new Case("v=spf1 a:museum", null),
            new Case("v=spf1 a:111.222.33.44", null),
            new Case("v=spf1 a:example.-com", null),
            new Case("v=spf1 a:example.com:8080", null),
            new Case("v=spf1 redirect=a.example.com redirect=b.example.com", null),
            new Case("v=spf1 exp=a.example.com exp=b.example.com", null),
            new Case("v=spf1 redirect=", null),
            new Case("v=spf1 moo=%{x}", null),
            new Case("v=spf1 ip4:192.0.2.5\n -all", null),
            new Case("v=spf1 a:ctrl.example.com\rptr -all", null),
            new Case("v=spf1 \u0080a:example.net -all", null),
            new Case("v=spf1 -exists:%(ir).sbl.example.com", null),
            new Case("v=spf1 1a -all", null),
            new Case("v=spf10", null),
            new Case("spf1 -all", null));

    @TestFactory
    Stream<DynamicTest> parsesOrRejectsEachRecord() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.record() + " -> " + c.want(), () -> {
            if (c.want() == null) {
                assertThatThrownBy(() -> SpfRecord.parse(c.record())).isInstanceOf(SpfSyntaxException.class);
            } else {
                assertThat(render(SpfRecord.parse(c.record()))).isEqualTo(c.want());
            }
        }));
    }

    private static String render(SpfRecord r) {
        Stream<String> directives = r.directives().stream()
                .map(d -> d.qualifier().symbol + " " + mechanism(d.mechanism()));
        Stream<String> modifiers = Stream.concat(
                r.redirect().stream().map(m -> "redirect=" + text(m)), r.exp().stream().map(m -> "exp=" + text(m)));
        return Stream.concat(directives, modifiers).collect(Collectors.joining(", "));
    }

    private static String mechanism(Mechanism m) {
        return switch (m) {
            case Mechanism.All a -> "all";
            case Mechanism.Include i -> "include:" + text(i.domain());
            case Mechanism.Exists e -> "exists:" + text(e.domain());
            case Mechanism.Ptr p -> "ptr" + p.domain().map(d -> ":" + text(d)).orElse("");
            case Mechanism.A a -> "a" + a.domain().map(d -> ":" + text(d)).orElse("") + "/" + a.cidr4() + "//" + a.cidr6();
            case Mechanism.Mx x -> "mx" + x.domain().map(d -> ":" + text(d)).orElse("") + "/" + x.cidr4() + "//" + x.cidr6();
            case Mechanism.Ip4 i -> "ip4:" + i.network();
            case Mechanism.Ip6 i -> "ip6:" + i.network();
        };
    }

    /** The macro-string written back in its source form. */
    private static String text(MacroString ms) {
        StringBuilder sb = new StringBuilder();
        for (MacroString.Part p : ms.parts()) {
            switch (p) {
                case MacroString.Literal l -> sb.append(l.text());
                case MacroString.Escape e -> sb.append(switch (e.text()) { case "%" -> "%%"; case " " -> "%_"; default -> "%-"; });
                case MacroString.Macro x -> sb.append("%{").append(x.urlEscape() ? Character.toUpperCase(x.letter()) : x.letter())
                        .append(x.keep() > 0 ? Integer.toString(x.keep()) : "").append(x.reverse() ? "r" : "")
                        .append(x.delimiters().equals(".") ? "" : x.delimiters()).append('}');
            }
        }
        return sb.toString();
    }
}
