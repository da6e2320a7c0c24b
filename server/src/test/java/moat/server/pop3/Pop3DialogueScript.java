package moat.server.pop3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A POP3 {@code C:}/{@code S:} dialogue read from {@code src/test/resources/dialogue-pop3/}
 * (a copy of the SMTP one, kept apart so the two can evolve without conflicts). Lines:
 * <pre>
 * # comment
 * &#64;listener pop3|pop3s                 which port (pop3s does the TLS handshake first)
 * &#64;set pop3.max_errors 3               a setting for this script's server
 * &#64;message user subject                put a message in the user's INBOX before connecting
 * C: text                                  send text + CRLF
 * RAW: text                                send text as is (\r \n \\ \0 \xHH escapes)
 * S: regex                                 the next response line must match (whole line)
 * S~ regex                                 skip response lines until one matches
 * TLS                                      do the client side of the TLS handshake now
 * CLOSED                                   the server must have closed the connection
 * INBOX user n                             the user's INBOX holds n messages now
 * </pre>
 * {@code ${b64:text}} in C:/RAW: lines is replaced by base64(text), with \0 meaning NUL.
 */
record Pop3DialogueScript(String name, String listener, Map<String, String> settings, List<Seed> seeds,
                          List<Step> steps) {

    record Seed(String user, String subject) {}

    sealed interface Step {
        record Send(byte[] bytes, String shown) implements Step {}

        record Expect(Pattern pattern, boolean skipUntil, int line) implements Step {}

        record StartTls() implements Step {}

        record ExpectClosed() implements Step {}

        record Inbox(String user, int count, int line) implements Step {}
    }

    private static final Pattern B64 = Pattern.compile("\\$\\{b64:([^}]*)}");

    static Pop3DialogueScript load(Path file) throws IOException {
        String listener = "pop3";
        Map<String, String> settings = new LinkedHashMap<>();
        List<Seed> seeds = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) continue;
            if (line.startsWith("@listener ")) listener = line.substring(10).strip();
            else if (line.startsWith("@set ")) {
                String[] kv = line.substring(5).strip().split("\\s+", 2);
                settings.put(kv[0], kv[1]);
            } else if (line.startsWith("@message ")) {
                String[] kv = line.substring(9).strip().split("\\s+", 2);
                seeds.add(new Seed(kv[0], kv.length > 1 ? kv[1] : "test"));
            } else if (line.startsWith("C: ")) {
                String t = expand(line.substring(3)) + "\r\n";
                steps.add(new Step.Send(t.getBytes(StandardCharsets.UTF_8), t));
            } else if (line.startsWith("RAW: ")) {
                byte[] b = unescape(expand(line.substring(5)));
                steps.add(new Step.Send(b, line.substring(5)));
            } else if (line.startsWith("S: ")) steps.add(new Step.Expect(Pattern.compile(line.substring(3)), false, n));
            else if (line.startsWith("S~ ")) steps.add(new Step.Expect(Pattern.compile(line.substring(3)), true, n));
            else if (line.strip().equals("TLS")) steps.add(new Step.StartTls());
            else if (line.strip().equals("CLOSED")) steps.add(new Step.ExpectClosed());
            else if (line.startsWith("INBOX ")) {
                String[] kv = line.substring(6).strip().split("\\s+");
                steps.add(new Step.Inbox(kv[0], Integer.parseInt(kv[1]), n));
            } else throw new IllegalArgumentException(file + ":" + n + ": unknown step: " + line);
        }
        String name = file.getFileName().toString().replace(".txt", "");
        return new Pop3DialogueScript(name, listener, settings, seeds, steps);
    }

    private static String expand(String s) {
        Matcher m = B64.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String raw = m.group(1).replace("\\0", "\0");
            m.appendReplacement(sb, Matcher.quoteReplacement(
                    Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Escapes: \r \n \0 \\ and \xHH for any octet (binary garbage). */
    private static byte[] unescape(String s) {
        var out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                switch (e) {
                    case 'r' -> out.write('\r');
                    case 'n' -> out.write('\n');
                    case '0' -> out.write(0);
                    case 'x' -> {
                        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> out.write(e);
                }
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
