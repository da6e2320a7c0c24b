package moat.protocol.pop3;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * One POP3 response: {@code +OK} or {@code -ERR}, an optional RFC 2449/3206 response code and a
 * text; multi-line responses (CAPA, LIST, UIDL) also carry their lines, which {@link #wire()}
 * dot-stuffs and terminates with {@code CRLF.CRLF} (RFC 1939 section 3). A protocol error is a
 * {@code Response} value, never an exception.
 */
public record Response(boolean ok, Optional<Code> code, String text, Optional<List<String>> lines) {

    /** Extended response codes (RFC 2449 section 8, RFC 3206). */
    public enum Code {
        /** RFC 3206 section 4: the failure is about the credentials. */
        AUTH("AUTH"),
        /** RFC 3206 section 5: a temporary system problem; try later. */
        SYS_TEMP("SYS/TEMP"),
        /** RFC 3206 section 5: a permanent system problem. */
        SYS_PERM("SYS/PERM"),
        /** RFC 2449 section 8.1.2: the maildrop is locked by another session. */
        IN_USE("IN-USE");

        private final String token;

        Code(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }
    }

    public Response {
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) throw new IllegalArgumentException("CR/LF in text");
        lines = lines.map(List::copyOf);
        lines.ifPresent(ls -> ls.forEach(l -> {
            if (l.indexOf('\r') >= 0 || l.indexOf('\n') >= 0) throw new IllegalArgumentException("CR/LF in line");
        }));
    }

    public static Response ok(String text) {
        return new Response(true, Optional.empty(), text, Optional.empty());
    }

    public static Response ok(String text, List<String> lines) {
        return new Response(true, Optional.empty(), text, Optional.of(lines));
    }

    public static Response err(String text) {
        return new Response(false, Optional.empty(), text, Optional.empty());
    }

    public static Response err(Code code, String text) {
        return new Response(false, Optional.of(code), text, Optional.empty());
    }

    /** Wire form: the status line and, for a multi-line response, its dot-stuffed lines and ".". */
    public byte[] wire() {
        StringBuilder sb = new StringBuilder(ok ? "+OK" : "-ERR");
        code.ifPresent(c -> sb.append(" [").append(c.token()).append(']'));
        if (!text.isEmpty()) sb.append(' ').append(text);
        sb.append("\r\n");
        lines.ifPresent(ls -> {
            for (String l : ls) sb.append(l.startsWith(".") ? "." : "").append(l).append("\r\n");
            sb.append(".\r\n");
        });
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The status line as it goes on the wire, without CRLF (for logs). */
    public String statusLine() {
        return (ok ? "+OK" : "-ERR") + code.map(c -> " [" + c.token() + "]").orElse("") + (text.isEmpty() ? "" : " " + text);
    }
}
