package moat.core;

import java.util.List;
import java.util.Optional;

/**
 * One protocol reply: a three-digit code, an optional RFC 3463 enhanced status and one or more
 * text lines. A protocol error is a {@code Reply} value, never an exception.
 *
 * <p>{@code reason} names the {@link Reason} behind a refusal so that the log and the reply share
 * one code; it is empty for ordinary replies.
 */
public record Reply(int code, Optional<EnhancedStatus> status, List<String> lines, Optional<Reason> reason) {
    public Reply {
        if (code < 200 || code > 599) throw new IllegalArgumentException("reply code out of range: " + code);
        lines = List.copyOf(lines);
        if (lines.isEmpty()) throw new IllegalArgumentException("a reply needs at least one line");
        for (String l : lines) {
            if (l.indexOf('\r') >= 0 || l.indexOf('\n') >= 0)
                throw new IllegalArgumentException("reply text must not contain CR or LF");
        }
        if (status.isPresent() && status.get().klass() != code / 100)
            throw new IllegalArgumentException("enhanced status class must match reply code class");
    }

    public static Reply of(int code, String status, String text) {
        return new Reply(code, Optional.of(EnhancedStatus.of(status)), List.of(text), Optional.empty());
    }

    /** A reply without an enhanced status (greeting, EHLO; RFC 2034 section 3). */
    public static Reply plain(int code, String... lines) {
        return new Reply(code, Optional.empty(), List.of(lines), Optional.empty());
    }

    public static Reply of(Reason reason) {
        return new Reply(reason.code(), Optional.of(reason.status()), List.of(reason.text()), Optional.of(reason));
    }

    /** The same reason with a more specific text. */
    public static Reply of(Reason reason, String text) {
        return new Reply(reason.code(), Optional.of(reason.status()), List.of(text), Optional.of(reason));
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    /** Wire form, each line CRLF-terminated, multi-line replies with {@code code-}. */
    public String wire() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            status.ifPresent(s -> sb.append(s).append(' '));
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }
}
