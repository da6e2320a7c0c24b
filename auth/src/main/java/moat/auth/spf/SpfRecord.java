package moat.auth.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import moat.core.IpPrefix;

/**
 * One parsed SPF record (RFC 7208 section 4.6, ABNF in section 12): its directives in order and
 * the two modifiers the RFC defines. The whole record is parsed before any term is evaluated, so
 * a syntax error anywhere is a permerror even after a matching "-all" (section 4.6).
 */
public record SpfRecord(List<Directive> directives, Optional<MacroString> redirect, Optional<MacroString> exp) {
    private static final String VERSION = "v=spf1";
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9._-]*)=(.*)", Pattern.DOTALL);
    private static final Pattern MECHANISM = Pattern.compile("([+\\-~?]?)([A-Za-z][A-Za-z0-9]*)(.*)", Pattern.DOTALL);
    private static final Pattern DUAL_CIDR = Pattern.compile("(.*?)(?:/([0-9]+))?(?://([0-9]+))?", Pattern.DOTALL);
    private static final Pattern IP4_CIDR = Pattern.compile("(.*?)(?:/([0-9]+))?", Pattern.DOTALL);
    private static final Pattern CIDR_DIGITS = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final Pattern DOMAIN_END = Pattern.compile(
            ".*\\.([A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])\\.?", Pattern.DOTALL);
    private static final Pattern IP4 = Pattern.compile("(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");

    public SpfRecord {
        directives = List.copyOf(directives);
    }

    /** Section 2.6 results a directive's qualifier yields when its mechanism matches (section 4.6.2). */
    public enum Qualifier {
        PASS('+', SpfResult.Code.PASS), FAIL('-', SpfResult.Code.FAIL), SOFTFAIL('~', SpfResult.Code.SOFTFAIL),
        NEUTRAL('?', SpfResult.Code.NEUTRAL);

        final char symbol;
        final SpfResult.Code result;

        Qualifier(char symbol, SpfResult.Code result) {
            this.symbol = symbol;
            this.result = result;
        }

        public SpfResult.Code result() {
            return result;
        }

        static Qualifier of(String s) {
            return switch (s) {
                case "", "+" -> PASS;
                case "-" -> FAIL;
                case "~" -> SOFTFAIL;
                default -> NEUTRAL;
            };
        }
    }

    /** A qualifier and a mechanism; {@code text} is the term as written, for the result and the log. */
    public record Directive(Qualifier qualifier, Mechanism mechanism, String text) {}

    /** Section 5: the eight mechanisms. */
    public sealed interface Mechanism {
        record All() implements Mechanism {}

        record Include(MacroString domain) implements Mechanism {}

        record A(Optional<MacroString> domain, int cidr4, int cidr6) implements Mechanism {}

        record Mx(Optional<MacroString> domain, int cidr4, int cidr6) implements Mechanism {}

        record Ptr(Optional<MacroString> domain) implements Mechanism {}

        record Ip4(IpPrefix network) implements Mechanism {}

        record Ip6(IpPrefix network) implements Mechanism {}

        record Exists(MacroString domain) implements Mechanism {}
    }

    /**
     * True when a TXT record is an SPF record: section 4.5, "v=spf1" (case-insensitive, section
     * 4.6.1) followed by a space or the end of the record.
     */
    public static boolean isSpf(String txt) {
        return txt.regionMatches(true, 0, VERSION, 0, VERSION.length())
                && (txt.length() == VERSION.length() || txt.charAt(VERSION.length()) == ' ');
    }

    /** Parses a record selected by {@link #isSpf}. */
    public static SpfRecord parse(String txt) throws SpfSyntaxException {
        if (!isSpf(txt)) throw new SpfSyntaxException("not an SPF record");
        List<Directive> directives = new ArrayList<>();
        Optional<MacroString> redirect = Optional.empty();
        Optional<MacroString> exp = Optional.empty();
        // Section 4.6.1: terms are separated by one or more SP; any other whitespace is a syntax error.
        for (String term : txt.substring(VERSION.length()).split(" ")) {
            if (term.isEmpty()) continue;
            Matcher mod = MODIFIER.matcher(term);
            if (mod.matches()) {
                String name = mod.group(1).toLowerCase(Locale.ROOT);
                String value = mod.group(2);
                switch (name) {
                    case "redirect" -> {
                        // Section 6: redirect and exp "MUST NOT appear in a record more than once each".
                        if (redirect.isPresent()) throw new SpfSyntaxException("redirect= appears twice");
                        redirect = Optional.of(domainSpec(value));
                    }
                    case "exp" -> {
                        if (exp.isPresent()) throw new SpfSyntaxException("exp= appears twice");
                        exp = Optional.of(domainSpec(value));
                    }
                    // Section 6: "Unrecognized modifiers MUST be ignored", but their value is still a macro-string.
                    default -> MacroString.parse(value);
                }
                continue;
            }
            directives.add(directive(term));
        }
        return new SpfRecord(directives, redirect, exp);
    }

    private static Directive directive(String term) throws SpfSyntaxException {
        Matcher m = MECHANISM.matcher(term);
        if (!m.matches()) throw new SpfSyntaxException("bad term: " + printable(term));
        Qualifier q = Qualifier.of(m.group(1));
        String name = m.group(2).toLowerCase(Locale.ROOT);
        String rest = m.group(3);
        Mechanism mech = switch (name) {
            case "all" -> {
                if (!rest.isEmpty()) throw new SpfSyntaxException("all takes no argument");
                yield new Mechanism.All();
            }
            case "include" -> new Mechanism.Include(requiredDomain(rest, name));
            case "exists" -> new Mechanism.Exists(requiredDomain(rest, name));
            case "ptr" -> new Mechanism.Ptr(optionalDomain(rest, name));
            case "a", "mx" -> {
                Matcher c = DUAL_CIDR.matcher(rest);
                if (!c.matches()) throw new SpfSyntaxException("bad " + name);
                Optional<MacroString> domain = optionalDomain(c.group(1), name);
                int cidr4 = cidr(c.group(2), 32);
                int cidr6 = cidr(c.group(3), 128);
                yield name.equals("a") ? new Mechanism.A(domain, cidr4, cidr6) : new Mechanism.Mx(domain, cidr4, cidr6);
            }
            case "ip4" -> new Mechanism.Ip4(ip4(rest));
            case "ip6" -> new Mechanism.Ip6(ip6(rest));
            default -> throw new SpfSyntaxException("unknown mechanism: " + printable(name));
        };
        return new Directive(q, mech, term);
    }

    private static MacroString requiredDomain(String rest, String name) throws SpfSyntaxException {
        if (!rest.startsWith(":") || rest.length() == 1) throw new SpfSyntaxException(name + " needs ':domain'");
        return domainSpec(rest.substring(1));
    }

    private static Optional<MacroString> optionalDomain(String rest, String name) throws SpfSyntaxException {
        if (rest.isEmpty()) return Optional.empty();
        return Optional.of(requiredDomain(rest, name));
    }

    /**
     * Section 7.1: domain-spec = macro-string domain-end, domain-end = ( "." toplabel [ "." ] ) /
     * macro-expand. The check is on the unexpanded text, as the RFC's grammar is.
     */
    static MacroString domainSpec(String text) throws SpfSyntaxException {
        if (text.isEmpty()) throw new SpfSyntaxException("empty domain-spec");
        MacroString ms = MacroString.parse(text);
        if (!ms.endsWithMacro() && !DOMAIN_END.matcher(ms.literalTail()).matches()) {
            throw new SpfSyntaxException("domain-spec must end with a macro or '.' toplabel: " + printable(text));
        }
        return ms;
    }

    private static int cidr(String digits, int max) throws SpfSyntaxException {
        if (digits == null) return max;
        // Section 12: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT), no leading zeros, at most the family's bits.
        if (!CIDR_DIGITS.matcher(digits).matches()) throw new SpfSyntaxException("bad CIDR length /" + digits);
        int n = Integer.parseInt(digits);
        if (n > max) throw new SpfSyntaxException("CIDR length /" + n + " exceeds " + max);
        return n;
    }

    private static IpPrefix ip4(String rest) throws SpfSyntaxException {
        if (!rest.startsWith(":")) throw new SpfSyntaxException("ip4 needs ':network'");
        Matcher c = IP4_CIDR.matcher(rest.substring(1));
        if (!c.matches()) throw new SpfSyntaxException("bad ip4");
        Matcher a = IP4.matcher(c.group(1));
        if (!a.matches()) throw new SpfSyntaxException("bad IPv4 address: " + printable(c.group(1)));
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(a.group(i + 1));
            if (octet > 255) throw new SpfSyntaxException("bad IPv4 address: " + c.group(1));
            bytes[i] = (byte) octet;
        }
        return new IpPrefix(bytes, cidr(c.group(2), 32));
    }

    private static IpPrefix ip6(String rest) throws SpfSyntaxException {
        if (!rest.startsWith(":")) throw new SpfSyntaxException("ip6 needs ':network'");
        Matcher c = IP4_CIDR.matcher(rest.substring(1));
        if (!c.matches()) throw new SpfSyntaxException("bad ip6");
        String addr = c.group(1);
        // Only hex digits, colons and dots reach InetAddress, so it never queries DNS.
        if (!addr.contains(":") || !addr.matches("[0-9A-Fa-f:.]+")) throw new SpfSyntaxException("bad IPv6 address: " + printable(addr));
        InetAddress ip;
        try {
            ip = InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new SpfSyntaxException("bad IPv6 address: " + addr);
        }
        byte[] bytes = ip.getAddress();
        if (ip instanceof Inet4Address) { // Java unmaps ::ffff:a.b.c.d; keep the IPv6 form
            bytes = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, bytes[0], bytes[1], bytes[2], bytes[3]};
        }
        return new IpPrefix(bytes, cidr(c.group(2), 128));
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch >= 0x20 && ch < 0x7f) sb.append(ch);
            else sb.append(String.format("\\x%02x", (int) ch));
        }
        return sb.toString();
    }
}
