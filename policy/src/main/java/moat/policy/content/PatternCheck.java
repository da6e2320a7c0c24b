package moat.policy.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import moat.core.Reason;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Content;
import moat.policy.Verdict;

/**
 * Refuses a message whose raw text (header section and body as transmitted, octets read as
 * ISO-8859-1 so every byte is one character) matches one of the configured regular expressions:
 * the admin's quick answer to a campaign ("a body that contains this link"). The reply names the
 * pattern's position in the list, never the pattern (it would teach the sender what to change).
 * Not a reputation check: it runs for trusted and authenticated senders too.
 */
public final class PatternCheck implements Check {
    private final List<Pattern> patterns;

    public PatternCheck(List<Pattern> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    @Override
    public String name() {
        return "content.pattern";
    }

    @Override
    public boolean reputation() {
        return false;
    }

    @Override
    public Verdict data(CheckState state, Content content) {
        if (patterns.isEmpty()) return Verdict.noOpinion();
        String text;
        try (InputStream in = content.open()) {
            // Bounded by the scan limit (content.max_scan_size).
            text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CharSequence cs = new Interruptible(text);
        for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i).matcher(cs).find()) {
                return new Verdict.Reject(Reason.CONTENT_PATTERN, Reason.CONTENT_PATTERN.text() + " (pattern " + (i + 1) + ")");
            }
        }
        return Verdict.noOpinion();
    }

    /**
     * java.util.regex never looks at interruption: a pattern that backtracks catastrophically
     * would run for ever. Reading through this sequence ends the match once the pipeline's time
     * limit interrupts the thread.
     */
    static final class Interruptible implements CharSequence {
        private final CharSequence inner;
        private int calls;

        Interruptible(CharSequence inner) {
            this.inner = inner;
        }

        @Override
        public char charAt(int index) {
            if ((++calls & 0xfff) == 0 && Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("pattern match interrupted (content.timeout)");
            }
            return inner.charAt(index);
        }

        @Override
        public int length() {
            return inner.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Interruptible(inner.subSequence(start, end));
        }

        @Override
        public String toString() {
            return inner.toString();
        }
    }
}
