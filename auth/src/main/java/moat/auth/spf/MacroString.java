package moat.auth.spf;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A parsed RFC 7208 section 7.1 macro-string: literal text and {@code %{...}} macros, ready to
 * expand. Parsing happens once, with the record, so a syntax error anywhere in a record is found
 * even in terms evaluation never reaches (section 4.6: "MUST be detected").
 *
 * <pre>
 * macro-string = *( macro-expand / macro-literal )
 * macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
 * macro-literal = %x21-24 / %x26-7E
 * </pre>
 */
public record MacroString(List<Part> parts) {
    /** RFC 7208 section 7.1 requires support for at least 128 right-hand parts; more is "all of them". */
    private static final int MAX_DIGITS = 128;
    private static final String LETTERS = "slodiphv";
    private static final String EXP_ONLY_LETTERS = "crt";
    private static final String DELIMITERS = ".-+,/_=";

    public MacroString {
        parts = List.copyOf(parts);
    }

    /** One piece of a macro-string. */
    public sealed interface Part {}

    /** Text copied as is. */
    public record Literal(String text) implements Part {}

    /** {@code %%}, {@code %_} or {@code %-}: the text it stands for ("%", " ", "%20"). */
    public record Escape(String text) implements Part {}

    /**
     * {@code %{letter digits r delimiters}}.
     *
     * @param letter     lower-case macro letter
     * @param urlEscape  the letter was upper-case: URL-escape the result (section 7.3)
     * @param keep       right-hand parts to keep, 0 for all
     * @param reverse    the {@code r} transformer
     * @param delimiters the split characters, "." when none were given
     */
    public record Macro(char letter, boolean urlEscape, int keep, boolean reverse, String delimiters) implements Part {}

    /** A macro-string as in a domain-spec or an unknown modifier: no spaces, no c/r/t letters. */
    public static MacroString parse(String text) throws SpfSyntaxException {
        return parse(text, false);
    }

    /**
     * An explain-string (section 6.2): may hold spaces and the c, r and t letters, which section
     * 7.3 allows "only in exp text".
     */
    public static MacroString parseExplanation(String text) throws SpfSyntaxException {
        return parse(text, true);
    }

    private static MacroString parse(String text, boolean explanation) throws SpfSyntaxException {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '%') {
                boolean visible = c >= 0x21 && c <= 0x7e;
                if (!visible && !(explanation && c == ' ')) {
                    throw new SpfSyntaxException("character 0x" + Integer.toHexString(c) + " not allowed in macro-string");
                }
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 >= text.length()) throw new SpfSyntaxException("'%' at end of macro-string");
            char next = text.charAt(i + 1);
            Part part = switch (next) {
                case '%' -> new Escape("%");
                case '_' -> new Escape(" ");
                case '-' -> new Escape("%20");
                case '{' -> null;
                default -> throw new SpfSyntaxException("'%' must be followed by '{', '%', '_' or '-' (RFC 7208 section 7.1)");
            };
            if (literal.length() > 0) {
                parts.add(new Literal(literal.toString()));
                literal.setLength(0);
            }
            if (part != null) {
                parts.add(part);
                i += 2;
                continue;
            }
            int close = text.indexOf('}', i + 2);
            if (close < 0) throw new SpfSyntaxException("unterminated macro");
            parts.add(macro(text.substring(i + 2, close), explanation));
            i = close + 1;
        }
        if (literal.length() > 0) parts.add(new Literal(literal.toString()));
        return new MacroString(parts);
    }

    private static Macro macro(String body, boolean explanation) throws SpfSyntaxException {
        if (body.isEmpty()) throw new SpfSyntaxException("empty macro");
        char letter = body.charAt(0);
        char lower = Character.toLowerCase(letter);
        if (letter > 0x7f || (LETTERS.indexOf(lower) < 0 && !(explanation && EXP_ONLY_LETTERS.indexOf(lower) >= 0))) {
            // Section 7.3: "c", "r" and "t" are allowed only in exp text.
            throw new SpfSyntaxException("unknown macro letter '" + letter + "'");
        }
        int i = 1;
        int keep = 0;
        boolean digits = false;
        while (i < body.length() && body.charAt(i) >= '0' && body.charAt(i) <= '9') {
            keep = Math.min(keep * 10 + (body.charAt(i) - '0'), 10_000);
            digits = true;
            i++;
        }
        // Section 7.3: "If a DIGIT is specified, the value MUST be nonzero."
        if (digits && keep == 0) throw new SpfSyntaxException("macro digit transformer must be nonzero");
        boolean reverse = false;
        if (i < body.length() && (body.charAt(i) == 'r' || body.charAt(i) == 'R')) {
            reverse = true;
            i++;
        }
        String delimiters = body.substring(i);
        for (char d : delimiters.toCharArray()) {
            if (DELIMITERS.indexOf(d) < 0) throw new SpfSyntaxException("bad macro delimiter '" + d + "'");
        }
        return new Macro(lower, letter != lower, keep > MAX_DIGITS ? 0 : keep, reverse,
                delimiters.isEmpty() ? "." : delimiters);
    }

    /** True when the string ends with a macro-expand, which section 7.1 accepts as a domain-end. */
    public boolean endsWithMacro() {
        return !parts.isEmpty() && !(parts.getLast() instanceof Literal);
    }

    /** The literal text after the last macro ("" when it ends with one). */
    public String literalTail() {
        return parts.isEmpty() || !(parts.getLast() instanceof Literal l) ? "" : l.text();
    }

    public String expand(MacroContext ctx) {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            switch (part) {
                case Literal l -> out.append(l.text());
                case Escape e -> out.append(e.text());
                case Macro m -> out.append(expand(m, ctx));
            }
        }
        return out.toString();
    }

    private static String expand(Macro m, MacroContext ctx) {
        String value = switch (m.letter()) {
            case 's' -> ctx.sender();
            case 'l' -> ctx.localPart();
            case 'o' -> ctx.senderDomain();
            case 'd' -> ctx.domain();
            case 'i' -> dotted(ctx.ip());
            case 'p' -> ctx.validatedDomain().apply(ctx.domain());
            case 'v' -> ctx.ip().getAddress().length == 4 ? "in-addr" : "ip6";
            case 'h' -> ctx.helo();
            case 'c' -> readable(ctx.ip());
            case 'r' -> ctx.receiver();
            case 't' -> Long.toString(ctx.timestamp());
            default -> throw new IllegalStateException("letter checked by the parser: " + m.letter());
        };
        // Section 7.3: split on the delimiters, optionally reverse, keep the right-hand parts, join with ".".
        List<String> labels = split(value, m.delimiters());
        if (m.reverse()) Collections.reverse(labels);
        if (m.keep() > 0 && labels.size() > m.keep()) labels = labels.subList(labels.size() - m.keep(), labels.size());
        String joined = String.join(".", labels);
        return m.urlEscape() ? urlEscape(joined) : joined;
    }

    private static List<String> split(String value, String delimiters) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            if (delimiters.indexOf(value.charAt(i)) >= 0) {
                out.add(value.substring(start, i));
                start = i + 1;
            }
        }
        out.add(value.substring(start));
        return out;
    }

    /** %{i}: dotted quad, or for IPv6 the 32 nibbles separated by dots (section 7.3), lower-case. */
    static String dotted(InetAddress ip) {
        byte[] b = ip.getAddress();
        StringBuilder sb = new StringBuilder();
        if (b.length == 4) {
            for (int i = 0; i < 4; i++) sb.append(i == 0 ? "" : ".").append(b[i] & 0xff);
            return sb.toString();
        }
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append('.').append(Character.forDigit(x & 0xf, 16)).append('.');
        }
        return sb.substring(0, sb.length() - 1);
    }

    /** %{c}: dotted quad or the RFC 5952 text form of an IPv6 address. */
    static String readable(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (b.length == 4) return dotted(ip);
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        // RFC 5952 section 4.2: compress the longest run of two or more zero groups, the first on a tie.
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** Section 7.3: upper-case letters URL-escape every character outside RFC 3986 "unreserved". */
    static String urlEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) sb.append(c);
            else sb.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                    .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
        }
        return sb.toString();
    }
}
