package moat.protocol.smtpclient;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import moat.core.EnhancedStatus;
import moat.core.Reply;

/**
 * Joins the lines of one server reply (RFC 5321 section 4.2: {@code 250-first}, ...,
 * {@code 250 last}) into a {@link Reply}, keeping an RFC 3463 enhanced status when the line
 * carries one of the right class (RFC 2034 section 3). Feed lines without their CRLF; the I/O
 * layer bounds the line length. A reply of more than {@link #MAX_LINES} lines, a line whose code
 * differs from the first, or a code outside 200..599 is {@link Result.Malformed}.
 */
public final class ReplyParser {
    /** EHLO replies have a line per extension; 100 is far beyond any real server. */
    public static final int MAX_LINES = 100;

    public sealed interface Result {
        record Partial() implements Result {}

        record Complete(Reply reply) implements Result {}

        record Malformed(String why) implements Result {}
    }

    private final List<String> texts = new ArrayList<>();
    private Optional<EnhancedStatus> status = Optional.empty();
    private int code = -1;

    public Result line(String line) {
        if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                || !Character.isDigit(line.charAt(2)))
            return malformed("reply line without a code: " + preview(line));
        int c = Integer.parseInt(line.substring(0, 3));
        if (c < 200 || c > 599) return malformed("reply code out of range: " + c);
        if (code >= 0 && c != code) return malformed("reply code changed inside a multi-line reply");
        code = c;
        boolean last;
        String text;
        if (line.length() == 3) {
            last = true;
            text = "";
        } else if (line.charAt(3) == ' ' || line.charAt(3) == '-') {
            last = line.charAt(3) == ' ';
            text = line.substring(4);
        } else {
            return malformed("bad separator after the reply code: " + preview(line));
        }
        text = stripStatus(text);
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) return malformed("CR or LF inside a reply line");
        texts.add(text);
        if (texts.size() > MAX_LINES) return malformed("reply longer than " + MAX_LINES + " lines");
        if (!last) return new Result.Partial();
        Reply r = new Reply(code, status, texts, Optional.empty());
        texts.clear();
        status = Optional.empty();
        code = -1;
        return new Result.Complete(r);
    }

    private String stripStatus(String text) {
        int sp = text.indexOf(' ');
        String head = sp < 0 ? text : text.substring(0, sp);
        if (!head.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) return text;
        EnhancedStatus st = EnhancedStatus.of(head);
        if (st.klass() != code / 100) return text; // a wrong class is left as text, never trusted
        if (status.isEmpty()) status = Optional.of(st);
        return sp < 0 ? "" : text.substring(sp + 1);
    }

    private Result malformed(String why) {
        texts.clear();
        code = -1;
        status = Optional.empty();
        return new Result.Malformed(why);
    }

    private static String preview(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
