package moat.protocol.imap;

import java.util.ArrayList;
import java.util.List;

/**
 * A sequence set (RFC 9051 section 9, {@code sequence-set}): ranges of numbers where {@code *}
 * is the largest number in use, represented here as {@link #STAR}. Numbers are 1..2^32-1;
 * anything else ({@code 0}, {@code 4294967296}, {@code 1:*:*}) is a syntax error.
 */
record SequenceSet(List<Range> ranges, boolean searchResult) {
    static final long STAR = -1;
    static final int MAX_RANGES = 4096;

    record Range(long from, long to) {
        long lo(long star) {
            return Math.min(resolve(from, star), resolve(to, star));
        }

        long hi(long star) {
            return Math.max(resolve(from, star), resolve(to, star));
        }

        private static long resolve(long v, long star) {
            return v == STAR ? star : v;
        }
    }

    SequenceSet {
        ranges = List.copyOf(ranges);
    }

    static SequenceSet parse(String s) throws SyntaxError {
        if (s.equals("$")) return new SequenceSet(List.of(), true); // RFC 9051 SEARCHRES: not offered, refused later
        List<Range> out = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            if (out.size() >= MAX_RANGES) throw new SyntaxError("Sequence set too long");
            String[] ends = part.split(":", -1);
            if (ends.length > 2) throw new SyntaxError("Invalid sequence set");
            long a = number(ends[0]);
            long b = ends.length == 2 ? number(ends[1]) : a;
            out.add(new Range(a, b));
        }
        return new SequenceSet(out, false);
    }

    private static long number(String s) throws SyntaxError {
        if (s.equals("*")) return STAR;
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9') || s.charAt(0) == '0')
            throw new SyntaxError("Invalid sequence number");
        long v = Long.parseLong(s);
        if (v > 0xffffffffL) throw new SyntaxError("Sequence number out of range");
        return v;
    }

    boolean contains(long n, long star) {
        for (Range r : ranges) if (n >= r.lo(star) && n <= r.hi(star)) return true;
        return false;
    }
}
