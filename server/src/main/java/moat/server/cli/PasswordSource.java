package moat.server.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a new password comes from. Never from argv: command lines are visible to every local user
 * in {@code ps} and end up in shell history. On a terminal the password is read without echo and
 * asked twice; otherwise one line is read from standard input, for scripts
 * ({@code printf 'secret\n' | moat user add bob@example.org}).
 */
@FunctionalInterface
public interface PasswordSource {
    int MIN_LENGTH = 8;
    int MAX_LENGTH = 1024;

    /** The raw password (caller wipes it); {@link UsageException} when none was given or the repeat differs. */
    char[] read(String prompt);

    /** The terminal if there is one, else standard input. */
    static PasswordSource system() {
        Console console = System.console();
        // Since JDK 22 System.console() may exist without a terminal (redirected stdin): ask isTerminal().
        if (console != null && console.isTerminal()) return console(console);
        return stream(System.in);
    }

    static PasswordSource console(Console console) {
        return prompt -> {
            char[] first = console.readPassword("%s: ", prompt);
            if (first == null) throw new UsageException("no password given");
            char[] second = console.readPassword("Repeat %s: ", prompt.toLowerCase());
            try {
                if (second == null || !Arrays.equals(first, second)) {
                    Arrays.fill(first, '\0');
                    throw new UsageException("the two passwords do not match");
                }
                return first;
            } finally {
                if (second != null) Arrays.fill(second, '\0');
            }
        };
    }

    /** One line (without its CR LF) from {@code in}, UTF-8. */
    static PasswordSource stream(InputStream in) {
        return prompt -> {
            Reader r = new InputStreamReader(in, StandardCharsets.UTF_8);
            char[] buf = new char[64];
            int n = 0;
            try {
                for (int c = r.read(); c != -1 && c != '\n'; c = r.read()) {
                    if (n == buf.length) {
                        if (n > MAX_LENGTH * 2) break; // the length check below refuses it
                        char[] bigger = Arrays.copyOf(buf, n * 2);
                        Arrays.fill(buf, '\0');
                        buf = bigger;
                    }
                    buf[n++] = (char) c;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (n > 0 && buf[n - 1] == '\r') n--;
            char[] out = Arrays.copyOf(buf, n);
            Arrays.fill(buf, '\0');
            if (n == 0) {
                throw new UsageException("no password on standard input (pipe one line, e.g. printf 'secret\\n' | moat ...)");
            }
            return out;
        };
    }

    /** Reads and checks the length policy; the caller wipes the result. */
    static char[] readNew(PasswordSource source, String prompt) {
        char[] pw = source.read(prompt);
        int length = Character.codePointCount(pw, 0, pw.length);
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            Arrays.fill(pw, '\0');
            throw new UsageException(length < MIN_LENGTH
                    ? "password too short: at least " + MIN_LENGTH + " characters"
                    : "password too long: at most " + MAX_LENGTH + " characters");
        }
        return pw;
    }
}
