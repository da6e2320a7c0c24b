package moat.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * A {@code C:}/{@code S:} dialogue script, shared by the SMTP, POP3 and IMAP dialogue tests
 * (src/test/resources/dialogue, dialogue-pop3, dialogue-imap). Lines:
 * <pre>
 * # comment
 * &#64;listener NAME        which port to talk to (each protocol's test names its own)
 * &#64;set key value        a setting for this script's server
 * &#64;WORD args...         a fixture directive the protocol's test understands (e.g. &#64;mail)
 * C: text              send text + CRLF
 * RAW: text            send text as is (escapes \r \n \0 \\ and \xHH for any octet)
 * S: regex             the next line must match (whole line)
 * S~ regex             skip lines until one matches
 * TLS                  do the client side of the TLS handshake now
 * CLOSED               the server must have closed the connection
 * WORD args...         a check the protocol's test understands (e.g. INBOX alice 2)
 * </pre>
 * {@code ${b64:text}} in C:/RAW: lines is replaced by base64(text), with \0 meaning NUL.
 */
public record Dialogue(String name, String listener, List<String> settings, List<Step.Custom> directives,
                       List<Step> steps) {

    public sealed interface Step {
        record Send(byte[] bytes, String shown) implements Step {}

        record Expect(Pattern pattern, boolean skipUntil, int line) implements Step {}

        record StartTls() implements Step {}

        record ExpectClosed() implements Step {}

        /** A directive or check word the protocol's test registered, with the rest of the line. */
        record Custom(String word, String args, int line) implements Step {}
    }

    private static final Pattern B64 = Pattern.compile("\\$\\{b64:([^}]*)}");

    /** One dynamic test per {@code .txt} file in dir; fails if there are fewer than atLeast (a lost directory must not pass). */
    public static Stream<DynamicTest> tests(String dir, int atLeast, Set<String> customWords, String defaultListener,
                                            Function<Dialogue, org.junit.jupiter.api.function.Executable> runner)
            throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).as("dialogue scripts in %s", dir).hasSizeGreaterThanOrEqualTo(atLeast);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
                () -> runner.apply(load(f, defaultListener, customWords)).execute()));
    }

    public static Dialogue load(Path file, String defaultListener, Set<String> customWords) throws IOException {
        String listener = defaultListener;
        List<String> settings = new ArrayList<>();
        List<Step.Custom> directives = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String word = line.strip().split("\\s+", 2)[0];
            String args = line.strip().length() > word.length() ? line.strip().substring(word.length()).strip() : "";
            if (word.equals("@listener")) listener = args;
            else if (word.equals("@set")) {
                String[] kv = args.split("\\s+", 2);
                settings.add(kv[0] + " = " + kv[1]);
            } else if (line.startsWith("@") && customWords.contains(word)) directives.add(new Step.Custom(word, args, n));
            else if (line.startsWith("C: ")) {
                String t = expand(line.substring(3)) + "\r\n";
                steps.add(new Step.Send(t.getBytes(StandardCharsets.UTF_8), t));
            } else if (line.startsWith("RAW: ")) {
                steps.add(new Step.Send(unescape(expand(line.substring(5))), line.substring(5)));
            } else if (line.startsWith("S: ")) steps.add(new Step.Expect(Pattern.compile(line.substring(3)), false, n));
            else if (line.startsWith("S~ ")) steps.add(new Step.Expect(Pattern.compile(line.substring(3)), true, n));
            else if (line.strip().equals("TLS")) steps.add(new Step.StartTls());
            else if (line.strip().equals("CLOSED")) steps.add(new Step.ExpectClosed());
            else if (customWords.contains(word)) steps.add(new Step.Custom(word, args, n));
            else throw new IllegalArgumentException(file + ":" + n + ": unknown step: " + line);
        }
        return new Dialogue(file.getFileName().toString().replace(".txt", ""), listener, settings, directives, steps);
    }

    /** A check step the protocol's test performs; the transcript so far is given for its failure message. */
    public interface CustomStep {
        void run(Step.Custom step, String transcript) throws Exception;
    }

    /** Plays the steps against an open client connection; every failure message carries the transcript. */
    public void play(SmtpClient c, CustomStep custom) throws Exception {
        List<String> transcript = new ArrayList<>();
        for (Step step : steps) {
            switch (step) {
                case Step.Send s -> {
                    transcript.add("C: " + s.shown().strip());
                    c.sendBytes(s.bytes());
                }
                case Step.StartTls t -> {
                    transcript.add("-- TLS");
                    c.startTls();
                }
                case Step.Expect e -> {
                    while (true) {
                        String line;
                        try {
                            line = c.readLine();
                        } catch (IOException io) {
                            throw new AssertionError("line " + e.line() + " of " + name + ": " + io + "; transcript:\n"
                                    + String.join("\n", transcript), io);
                        }
                        transcript.add("S: " + line);
                        assertThat(line).as("line %d of %s; transcript:%n%s", e.line(), name,
                                String.join("\n", transcript)).isNotNull();
                        if (e.pattern().matcher(line).matches()) break;
                        assertThat(e.skipUntil()).as("line %d of %s expected /%s/; transcript:%n%s", e.line(), name,
                                e.pattern(), String.join("\n", transcript)).isTrue();
                    }
                }
                case Step.ExpectClosed x -> assertThat(c.closedByServer())
                        .as("server closes; transcript:%n%s", String.join("\n", transcript)).isTrue();
                case Step.Custom u -> custom.run(u, String.join("\n", transcript));
            }
        }
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

    /** Escapes: \r \n \0 \\ and \xHH for any octet (binary garbage); other text is UTF-8. */
    public static byte[] unescape(String s) {
        var out = new ByteArrayOutputStream();
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
