package moat.protocol.imap;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over one complete command as it came off the wire (RFC 9051 section 9 grammar):
 * lines joined by CRLF with each literal's octets inline after its {@code {n}} or {@code {n+}}
 * announcement. The I/O layer has already bounded every line and literal.
 */
final class Args {
    private final byte[] b;
    private int p;
    private final int maxNesting;
    private int depth;

    Args(byte[] command, int maxNesting) {
        this.b = command;
        this.maxNesting = maxNesting;
    }

    boolean atEnd() {
        return p >= b.length;
    }

    int peek() {
        return p < b.length ? b[p] & 0xff : -1;
    }

    boolean peekIs(char c) {
        return peek() == c;
    }

    void expect(char c) throws SyntaxError {
        if (peek() != c) throw new SyntaxError(p >= b.length ? "Missing argument" : "Expected '" + c + "'");
        p++;
    }

    boolean skip(char c) {
        if (peek() != c) return false;
        p++;
        return true;
    }

    void sp() throws SyntaxError {
        expect(' ');
    }

    void end() throws SyntaxError {
        if (!atEnd()) throw new SyntaxError("Unexpected text after command");
    }

    /** Opens a parenthesised list, counting nesting depth against the limit. */
    void open() throws SyntaxError {
        expect('(');
        if (++depth > maxNesting) throw new SyntaxError("Too deeply nested");
    }

    void close() throws SyntaxError {
        expect(')');
        depth--;
    }

    static boolean atomChar(int c) {
        return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' && c != '"'
                && c != '\\' && c != ']';
    }

    /** Tag: ASTRING-CHAR except '+'. */
    String tag() throws SyntaxError {
        int s = p;
        while (p < b.length && (atomChar(b[p]) || b[p] == ']') && b[p] != '+') p++;
        if (p == s || p - s > 64) throw new SyntaxError("Invalid tag");
        return ascii(s, p);
    }

    /** An atom; {@code extra} lists further allowed characters (e.g. "]" for astring, "*%" for list). */
    String atom(String extra) throws SyntaxError {
        int s = p;
        while (p < b.length && (atomChar(b[p]) || extra.indexOf(b[p]) >= 0) && (b[p] != '[' || extra.equals("]"))) p++;
        if (p == s) throw new SyntaxError(p >= b.length ? "Missing argument" : "Invalid character");
        return ascii(s, p);
    }

    String atom() throws SyntaxError {
        return atom("");
    }

    /** A run of characters up to the next space or parenthesis (sequence sets, numbers, dates). */
    String word() throws SyntaxError {
        int s = p;
        while (p < b.length && b[p] != ' ' && b[p] != '(' && b[p] != ')' && b[p] > 0x20 && b[p] < 0x7f) p++;
        if (p == s) throw new SyntaxError("Missing argument");
        return ascii(s, p);
    }

    long number() throws SyntaxError {
        String w = word();
        if (w.length() > 10 || !w.chars().allMatch(Character::isDigit)) throw new SyntaxError("Invalid number");
        long v = Long.parseLong(w);
        if (v > 0xffffffffL) throw new SyntaxError("Number too large");
        return v;
    }

    /** astring: atom (with ']') or string; decoded as UTF-8 (RFC 9051 section 6.3 allows UTF-8 in rev2). */
    String astring() throws SyntaxError {
        if (peekIs('"') || peekIs('{') || peekIs('~')) return utf8(string());
        return atom("]");
    }

    byte[] astringBytes() throws SyntaxError {
        if (peekIs('"') || peekIs('{') || peekIs('~')) return string();
        return atom("]").getBytes(StandardCharsets.US_ASCII);
    }

    /** The next atom-like word, upper-cased, without consuming it (FETCH macros). */
    String peekName() {
        int e = p;
        while (e < b.length && atomChar(b[e]) && b[e] != '[') e++;
        return ascii(p, e).toUpperCase(java.util.Locale.ROOT);
    }

    /** Inside BODY[...]: digits, dots and letters. */
    String sectionSpec() throws SyntaxError {
        int s = p;
        while (p < b.length && (Character.isLetterOrDigit(b[p]) || b[p] == '.')) p++;
        if (p == s) throw new SyntaxError("Invalid section");
        return ascii(s, p);
    }

    /** Inside &lt;...&gt;: digits and one dot. */
    String partialSpec() throws SyntaxError {
        int s = p;
        while (p < b.length && (Character.isDigit(b[p]) || b[p] == '.')) p++;
        if (p == s) throw new SyntaxError("Invalid partial");
        return ascii(s, p);
    }

    /** list-mailbox: like astring but '%' and '*' are allowed. */
    String listMailbox() throws SyntaxError {
        if (peekIs('"') || peekIs('{')) return utf8(string());
        return atom("]%*");
    }

    /** quoted or literal, as bytes. */
    byte[] string() throws SyntaxError {
        if (skip('"')) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (true) {
                if (p >= b.length) throw new SyntaxError("Unterminated quoted string");
                int c = b[p++] & 0xff;
                if (c == '"') return out.toByteArray();
                if (c == '\\') {
                    if (p >= b.length || (b[p] != '"' && b[p] != '\\')) throw new SyntaxError("Invalid quoted escape");
                    c = b[p++];
                }
                if (c == '\r' || c == '\n' || c == 0) throw new SyntaxError("Invalid character in quoted string");
                out.write(c);
            }
        }
        skip('~'); // literal8 (RFC 3516): same framing
        expect('{');
        int s = p;
        while (p < b.length && Character.isDigit(b[p])) p++;
        if (p == s || p - s > 10) throw new SyntaxError("Invalid literal");
        long n = Long.parseLong(ascii(s, p));
        skip('+');
        skip('-');
        expect('}');
        expect('\r');
        expect('\n');
        if (n > b.length - p) throw new SyntaxError("Literal shorter than announced");
        byte[] out = Arrays.copyOfRange(b, p, p + (int) n);
        p += (int) n;
        return out;
    }

    /** nstring-ish: NIL or string. */
    boolean nil() {
        if (p + 3 <= b.length && (b[p] | 0x20) == 'n' && (b[p + 1] | 0x20) == 'i' && (b[p + 2] | 0x20) == 'l'
                && (p + 3 == b.length || !atomChar(b[p + 3]))) {
            p += 3;
            return true;
        }
        return false;
    }

    private String ascii(int s, int e) {
        return new String(b, s, e - s, StandardCharsets.US_ASCII);
    }

    static String utf8(byte[] raw) throws SyntaxError {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new SyntaxError("Invalid UTF-8");
        }
    }
}
