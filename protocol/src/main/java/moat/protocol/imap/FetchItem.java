package moat.protocol.imap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** One FETCH data item (RFC 9051 section 6.4.5), parsed. */
sealed interface FetchItem {
    record Flags() implements FetchItem {}

    record Uid() implements FetchItem {}

    record InternalDate() implements FetchItem {}

    record Size() implements FetchItem {}

    record Envelope() implements FetchItem {}

    /** BODYSTRUCTURE when {@code extensible}, else BODY. */
    record Structure(boolean extensible) implements FetchItem {}

    record ModSeq() implements FetchItem {}

    /** RFC822, RFC822.HEADER, RFC822.TEXT: old names of BODY[], BODY.PEEK[HEADER], BODY[TEXT]. */
    record Rfc822(String which) implements FetchItem {}

    /**
     * BODY[section]&lt;partial&gt;. {@code part} is the numeric path (empty = whole message);
     * {@code text} one of "", HEADER, TEXT, MIME, HEADER.FIELDS, HEADER.FIELDS.NOT.
     */
    record Section(boolean peek, List<Integer> part, String text, List<String> fields, Optional<long[]> partial)
            implements FetchItem {
        String spec() {
            StringBuilder sb = new StringBuilder();
            for (int p : part) sb.append(sb.isEmpty() ? "" : ".").append(p);
            if (!text.isEmpty()) sb.append(sb.isEmpty() ? "" : ".").append(text);
            if (!fields.isEmpty()) sb.append(" (").append(String.join(" ", fields)).append(')');
            return sb.toString();
        }
    }

    /** BINARY[part]&lt;partial&gt; (RFC 3516): the part with its Content-Transfer-Encoding undone. */
    record Binary(boolean peek, List<Integer> part, Optional<long[]> partial) implements FetchItem {
        String spec() {
            return path(part);
        }
    }

    /** BINARY.SIZE[part] (RFC 3516): the decoded size. */
    record BinarySize(List<Integer> part) implements FetchItem {
        String spec() {
            return path(part);
        }
    }

    /** A part number path as in a section spec: "1.2", or "" for the whole message. */
    private static String path(List<Integer> part) {
        StringBuilder sb = new StringBuilder();
        for (int p : part) sb.append(sb.isEmpty() ? "" : ".").append(p);
        return sb.toString();
    }

    /** Parses the item list after the sequence set: a macro, one item, or a parenthesised list. */
    static List<FetchItem> parse(Args a) throws SyntaxError {
        List<FetchItem> out = new ArrayList<>();
        if (a.peekIs('(')) {
            a.open();
            while (!a.peekIs(')')) {
                out.add(one(a));
                if (out.size() > 64) throw new SyntaxError("Too many FETCH items");
                if (!a.peekIs(')')) a.sp();
            }
            a.close();
            return out;
        }
        String peek = peekWord(a);
        switch (peek) {
            case "ALL" -> {
                a.atom();
                return List.of(new Flags(), new InternalDate(), new Size(), new Envelope());
            }
            case "FAST" -> {
                a.atom();
                return List.of(new Flags(), new InternalDate(), new Size());
            }
            case "FULL" -> {
                a.atom();
                return List.of(new Flags(), new InternalDate(), new Size(), new Envelope(), new Structure(false));
            }
            default -> {
                return List.of(one(a));
            }
        }
    }

    private static String peekWord(Args a) throws SyntaxError {
        // Atoms stop at '[', so read the name by hand.
        return a.peekName();
    }

    private static FetchItem one(Args a) throws SyntaxError {
        String name = a.atom("").toUpperCase(Locale.ROOT);
        return switch (name) {
            case "FLAGS" -> new Flags();
            case "UID" -> new Uid();
            case "INTERNALDATE" -> new InternalDate();
            case "RFC822.SIZE" -> new Size();
            case "ENVELOPE" -> new Envelope();
            case "BODYSTRUCTURE" -> new Structure(true);
            case "MODSEQ" -> new ModSeq();
            case "RFC822", "RFC822.HEADER", "RFC822.TEXT" -> new Rfc822(name);
            case "BINARY", "BINARY.PEEK" -> {
                List<Integer> part = binaryPart(a);
                yield new Binary(name.endsWith(".PEEK"), part, partial(a));
            }
            case "BINARY.SIZE" -> new BinarySize(binaryPart(a));
            case "BODY", "BODY.PEEK" -> {
                if (!a.peekIs('[')) {
                    if (name.equals("BODY")) yield new Structure(false);
                    throw new SyntaxError("Expected [");
                }
                yield section(a, name.endsWith(".PEEK"));
            }
            default -> throw new SyntaxError("Unknown FETCH item " + name);
        };
    }

    private static FetchItem section(Args a, boolean peek) throws SyntaxError {
        a.expect('[');
        List<Integer> part = new ArrayList<>();
        String text = "";
        List<String> fields = new ArrayList<>();
        if (!a.peekIs(']')) {
            String spec = a.sectionSpec().toUpperCase(Locale.ROOT);
            String[] bits = spec.split("\\.", -1);
            int i = 0;
            while (i < bits.length && !bits[i].isEmpty() && bits[i].chars().allMatch(Character::isDigit)) {
                if (bits[i].length() > 5 || part.size() > 32) throw new SyntaxError("Invalid section part");
                int n = Integer.parseInt(bits[i]);
                if (n == 0) throw new SyntaxError("Invalid section part");
                part.add(n);
                i++;
            }
            text = String.join(".", java.util.Arrays.copyOfRange(bits, i, bits.length));
            if (!List.of("", "HEADER", "TEXT", "MIME", "HEADER.FIELDS", "HEADER.FIELDS.NOT").contains(text))
                throw new SyntaxError("Invalid section");
            if (text.equals("MIME") && part.isEmpty()) throw new SyntaxError("MIME needs a part");
            if (text.startsWith("HEADER.FIELDS")) {
                a.sp();
                a.open();
                while (!a.peekIs(')')) {
                    fields.add(a.astring().toUpperCase(Locale.ROOT));
                    if (fields.size() > 100) throw new SyntaxError("Too many header fields");
                    if (!a.peekIs(')')) a.sp();
                }
                a.close();
                if (fields.isEmpty()) throw new SyntaxError("Empty header field list");
            }
        }
        a.expect(']');
        return new Section(peek, part, text, fields, partial(a));
    }

    /** [section-binary]: part numbers only (RFC 3516 section 4.1). */
    private static List<Integer> binaryPart(Args a) throws SyntaxError {
        a.expect('[');
        List<Integer> part = new ArrayList<>();
        if (!a.peekIs(']')) {
            for (String bit : a.sectionSpec().split("\\.", -1)) {
                if (bit.isEmpty() || bit.length() > 5 || !bit.chars().allMatch(Character::isDigit) || part.size() > 32)
                    throw new SyntaxError("Invalid binary section");
                int n = Integer.parseInt(bit);
                if (n == 0) throw new SyntaxError("Invalid section part");
                part.add(n);
            }
        }
        a.expect(']');
        return part;
    }

    private static Optional<long[]> partial(Args a) throws SyntaxError {
        Optional<long[]> partial = Optional.empty();
        if (a.skip('<')) {
            String w = a.partialSpec();
            String[] nums = w.split("\\.", -1);
            if (nums.length != 2 || nums[0].isEmpty() || nums[1].isEmpty() || nums[0].length() > 10 || nums[1].length() > 10
                    || !(nums[0] + nums[1]).chars().allMatch(Character::isDigit))
                throw new SyntaxError("Invalid partial");
            long off = Long.parseLong(nums[0]);
            long len = Long.parseLong(nums[1]);
            if (len == 0 || off > 0xffffffffL || len > 0xffffffffL) throw new SyntaxError("Invalid partial");
            a.expect('>');
            partial = Optional.of(new long[] {off, len});
        }
        return partial;
    }
}
