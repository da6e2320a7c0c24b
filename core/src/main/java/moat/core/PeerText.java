package moat.core;

/**
 * The one place where text that came from outside (a client's HELO name, addresses, user names,
 * a remote server's reply, a DKIM tag or reason) is made safe for where it goes next. Each
 * destination has one rule, because what breaks it differs:
 *
 * <ul>
 *   <li>{@link #reply}: inside an SMTP reply line. A CR or LF would end the reply and let the
 *       client's text become a reply of its own (reply injection); RFC 5321 section 4.2 reply
 *       text is printable ASCII. Every other character becomes {@code ?}, at most
 *       {@value #REPLY_MAX} characters.</li>
 *   <li>{@link #headerWord}: one word of a structured header field that we write (the
 *       Received field's {@code from}, {@code for <...>}, the comment naming the authenticated
 *       user). A space, a control, {@code ( ) ; \} would end the word, the comment or the
 *       clause (RFC 5322 section 3.2.2, RFC 5321 section 4.4), a CR or LF the field
 *       (header injection). Each becomes {@code _}; at most {@value #WORD_MAX} characters.</li>
 *   <li>{@link #asciiLine}: free text in a header field without RFC 6532 (Authentication-Results
 *       reasons, DKIM and ARC failure reasons): printable ASCII, each run of anything else
 *       (and of spaces) one space, trimmed.</li>
 *   <li>{@link #line}: free text that may stay UTF-8 (a log field such as a user name as
 *       typed, a DSN's diagnostic line): each run of controls, line or paragraph separators and
 *       invisible format characters one space. The JSON encoder of the audit log escapes what remains.</li>
 *   <li>{@link #token}: an identifier copied into a header field or result (a domain, a selector):
 *       whitespace, controls, format characters and {@code ;} are dropped, not replaced.</li>
 * </ul>
 *
 * <p>Controls means C0 (U+0000..U+001F, including TAB, CR, LF, NUL), DEL and C1
 * (U+0080..U+009F, where U+0085 is a line break to some parsers); format characters include the
 * bidirectional overrides (U+202E) that make a log line read differently from what it holds.
 * Lengths count UTF-16 chars; a cut never splits a surrogate pair.
 */
public final class PeerText {
    /** Longest client text placed in a reply line. */
    public static final int REPLY_MAX = 200;
    /** Longest header word: an RFC 5321 address (64 + 1 + 255) fits. */
    public static final int WORD_MAX = 320;

    private PeerText() {
    }

    /** Text for an SMTP reply line: printable ASCII and spaces, anything else {@code ?}. */
    public static String reply(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), REPLY_MAX));
        for (int i = 0; i < s.length() && sb.length() < REPLY_MAX; ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return sb.toString();
    }

    /** One word of a structured header field: anything that could end it becomes {@code _}. */
    public static String headerWord(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), WORD_MAX));
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int n = Character.charCount(c);
            if (sb.length() + n > WORD_MAX) break;
            i += n;
            if (c <= 0x20 || c == '(' || c == ')' || c == ';' || c == '\\' || breaks(c)) sb.append('_');
            else sb.appendCodePoint(c);
        }
        return sb.toString();
    }

    /** Free ASCII text for a header field: printable ASCII, runs of anything else one space, trimmed. */
    public static String asciiLine(String s, int max) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max));
        boolean gap = false;
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            if (c > 0x20 && c < 0x7f) {
                if (gap && !sb.isEmpty()) {
                    if (sb.length() + 2 > max) break; // never end on the space
                    sb.append(' ');
                }
                gap = false;
                sb.append(c);
            } else {
                gap = true;
            }
        }
        return sb.toString();
    }

    /** Free text that may stay UTF-8 (a log field, a DSN line): each run of line breakers one space. */
    public static String line(String s, int max) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max));
        boolean gap = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int n = Character.charCount(c);
            i += n;
            if (c < 0x20 || breaks(c)) {
                if (!gap && sb.length() < max) sb.append(' ');
                gap = true;
                continue;
            }
            if (sb.length() + n > max) break;
            gap = false;
            sb.appendCodePoint(c);
        }
        return sb.toString();
    }

    /** An identifier for a header field or result: whitespace, controls, format characters and {@code ;} dropped. */
    public static String token(String s, int max) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int n = Character.charCount(c);
            i += n;
            if (c <= 0x20 || c == ';' || breaks(c)) continue;
            if (sb.length() + n > max) break;
            sb.appendCodePoint(c);
        }
        return sb.toString();
    }

    /** DEL, C1 controls, Unicode spaces and line/paragraph separators, and invisible format characters. */
    private static boolean breaks(int c) {
        if (c == 0x7f || (c >= 0x80 && c <= 0x9f)) return true;
        return switch (Character.getType(c)) {
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.FORMAT, Character.CONTROL, Character.SURROGATE -> c > 0x20;
            default -> false;
        };
    }
}
