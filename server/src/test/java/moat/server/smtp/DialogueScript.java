package moat.server.smtp;

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
 * A {@code C:}/{@code S:} dialogue read from {@code src/test/resources/dialogue/}. Lines:
 * <pre>
 * # comment
 * &#64;listener mx|submission|submissions     which port to talk to (default mx)
 * &#64;set smtp.max_recipients 3             a setting for this script's server
 * C: text                                    send text + CRLF
 * RAW: text                                  send text as is (\r \n \\ escapes)
 * S: regex                                   the next reply line must match (whole line)
 * S~ regex                                   skip reply lines until one matches
 * TLS                                        do the client side of the TLS handshake now
 * CLOSED                                     the server must have closed the connection
 * </pre>
 * {@code ${b64:text}} in C:/RAW: lines is replaced by base64(text), with \0 meaning NUL.
 */
record DialogueScript(String name, String listener, Map<String, String> settings, List<Step> steps) {

    sealed interface Step {
        record Send(String text) implements Step {}

        record Expect(Pattern pattern, boolean skipUntil, int line) implements Step {}

        record StartTls() implements Step {}

        record ExpectClosed() implements Step {}
    }

    private static final Pattern B64 = Pattern.compile("\\$\\{b64:([^}]*)}");

    static DialogueScript load(Path file) throws IOException {
        String listener = "mx";
        Map<String, String> settings = new LinkedHashMap<>();
        List<Step> steps = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) continue;
            if (line.startsWith("@listener ")) listener = line.substring(10).strip();
            else if (line.startsWith("@set ")) {
                String[] kv = line.substring(5).strip().split("\\s+", 2);
                settings.put(kv[0], kv[1]);
            } else if (line.startsWith("C: ")) steps.add(new Step.Send(expand(line.substring(3)) + "\r\n"));
            else if (line.startsWith("RAW: ")) steps.add(new Step.Send(unescape(expand(line.substring(5)))));
            else if (line.startsWith("S: ")) steps.add(new Step.Expect(Pattern.compile(line.substring(3)), false, n));
            else if (line.startsWith("S~ ")) steps.add(new Step.Expect(Pattern.compile(line.substring(3)), true, n));
            else if (line.strip().equals("TLS")) steps.add(new Step.StartTls());
            else if (line.strip().equals("CLOSED")) steps.add(new Step.ExpectClosed());
            else throw new IllegalArgumentException(file + ":" + n + ": unknown step: " + line);
        }
        String name = file.getFileName().toString().replace(".txt", "");
        return new DialogueScript(name, listener, settings, steps);
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

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                sb.append(switch (e) {
                    case 'r' -> '\r';
                    case 'n' -> '\n';
                    case '0' -> '\0';
                    default -> e;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
