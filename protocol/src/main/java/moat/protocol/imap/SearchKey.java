package moat.protocol.imap;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import moat.protocol.imap.ImapBackend.MessageInfo;

/**
 * SEARCH criteria (RFC 9051 section 6.4.4) as a tree, and their evaluation against one message.
 * Text matching is case-insensitive substring. Header keys match the unfolded, RFC 2047-decoded
 * field values ({@link SearchFields}, cached per message); BODY and TEXT match the raw octets
 * decoded as UTF-8.
 *
 * <p>LIMITATION: no MIME decoding of bodies (base64/quoted-printable parts are matched as sent);
 * dates compare in UTC; SENTBEFORE/SENTON/SENTSINCE use INTERNALDATE.
 */
sealed interface SearchKey {
    record All() implements SearchKey {}

    record Flag(String flag, boolean set) implements SearchKey {}

    record Seq(SequenceSet set, boolean uid) implements SearchKey {}

    /** {@code nameKey} and {@code needle}: name and value as {@link SearchFields} compares them, made once. */
    record Header(String name, String value, byte[] nameKey, byte[] needle) implements SearchKey {
        Header(String name, String value) {
            this(name, value, SearchFields.key(name), SearchFields.key(value));
        }
    }

    record Body(String text, boolean withHeader) implements SearchKey {}

    record Size(long n, boolean larger) implements SearchKey {}

    /** cmp: -1 before, 0 on, 1 since. */
    record Date(LocalDate day, int cmp) implements SearchKey {}

    record ModSeq(long n) implements SearchKey {}

    record Not(SearchKey key) implements SearchKey {}

    record Or(SearchKey a, SearchKey b) implements SearchKey {}

    record And(List<SearchKey> keys) implements SearchKey {}

    DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d-MMM-yyyy", Locale.ROOT);

    /** Keys up to the end of the command (or the closing parenthesis of a group). */
    static SearchKey parseAll(Args a) throws SyntaxError {
        List<SearchKey> keys = new ArrayList<>();
        keys.add(one(a));
        while (a.skip(' ')) {
            keys.add(one(a));
            if (keys.size() > 100) throw new SyntaxError("Too many search keys");
        }
        return keys.size() == 1 ? keys.getFirst() : new And(keys);
    }

    private static SearchKey one(Args a) throws SyntaxError {
        if (a.peekIs('(')) {
            a.open();
            List<SearchKey> keys = new ArrayList<>();
            keys.add(one(a));
            while (a.skip(' ')) keys.add(one(a));
            a.close();
            return new And(keys);
        }
        if (a.peek() == '*' || (a.peek() >= '0' && a.peek() <= '9') || a.peek() == '$')
            return new Seq(SequenceSet.parse(a.word()), false);
        String k = a.atom().toUpperCase(Locale.ROOT);
        return switch (k) {
            case "ALL" -> new All();
            case "SEEN", "ANSWERED", "FLAGGED", "DELETED", "DRAFT" -> new Flag(system(k), true);
            case "UNSEEN", "UNANSWERED", "UNFLAGGED", "UNDELETED", "UNDRAFT" -> new Flag(system(k.substring(2)), false);
            case "KEYWORD" -> new Flag(arg(a), true);
            case "UNKEYWORD" -> new Flag(arg(a), false);
            case "NEW", "RECENT" -> new Not(new All()); // no \Recent in Moat (IMAP4rev2 removed it)
            case "OLD" -> new All();
            case "UID" -> {
                a.sp();
                yield new Seq(SequenceSet.parse(a.word()), true);
            }
            case "HEADER" -> {
                String name = arg(a);
                yield new Header(name, arg(a));
            }
            case "SUBJECT", "FROM", "TO", "CC", "BCC" -> new Header(k, arg(a));
            case "BODY" -> new Body(arg(a), false);
            case "TEXT" -> new Body(arg(a), true);
            case "LARGER" -> {
                a.sp();
                yield new Size(a.number(), true);
            }
            case "SMALLER" -> {
                a.sp();
                yield new Size(a.number(), false);
            }
            case "BEFORE", "SENTBEFORE" -> new Date(date(a), -1);
            case "ON", "SENTON" -> new Date(date(a), 0);
            case "SINCE", "SENTSINCE" -> new Date(date(a), 1);
            case "MODSEQ" -> {
                a.sp();
                if (a.peekIs('"')) { // entry-name and entry-type-req are accepted and ignored
                    a.string();
                    a.sp();
                    a.atom();
                    a.sp();
                }
                yield new ModSeq(a.number());
            }
            case "NOT" -> {
                a.sp();
                yield new Not(one(a));
            }
            case "OR" -> {
                a.sp();
                SearchKey x = one(a);
                a.sp();
                yield new Or(x, one(a));
            }
            default -> throw new SyntaxError("Unknown search key " + k);
        };
    }

    private static String system(String k) {
        return "\\" + k.charAt(0) + k.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String arg(Args a) throws SyntaxError {
        a.sp();
        return a.astring();
    }

    private static LocalDate date(Args a) throws SyntaxError {
        a.sp();
        String d = a.peekIs('"') ? Args.utf8(a.string()) : a.word();
        try {
            return LocalDate.parse(d, DATE);
        } catch (DateTimeParseException e) {
            throw new SyntaxError("Invalid date");
        }
    }

    /**
     * What a key is evaluated against; the header fields ({@link SearchFields} form) and the
     * octets are read only when a key needs them.
     */
    record Candidate(int seq, long maxSeq, long maxUid, MessageInfo info, Supplier<byte[]> fields,
                     Supplier<MimePart> message) {}

    /**
     * Byte strings of which a message's {@link SearchFields} must hold at least one for this key
     * to match: a necessary condition that lets the store skip messages without handing their
     * fields over. Empty when the key sets no such condition (NOT, flags, an empty HEADER value).
     */
    static List<byte[]> required(SearchKey k) {
        return switch (k) {
            case Header h -> h.needle().length == 0 ? List.of() : List.of(h.needle());
            case And and -> and.keys().stream().map(SearchKey::required).filter(l -> !l.isEmpty()).findFirst()
                    .orElse(List.of());
            case Or or -> {
                List<byte[]> a = required(or.a());
                List<byte[]> b = required(or.b());
                if (a.isEmpty() || b.isEmpty()) yield List.of();
                List<byte[]> both = new ArrayList<>(a);
                both.addAll(b);
                yield both;
            }
            default -> List.of();
        };
    }

    /** The lower-cased field names the header keys of {@code k} name. */
    static java.util.Set<String> headerNames(SearchKey k) {
        return switch (k) {
            case Header h -> java.util.Set.of(h.name().toLowerCase(Locale.ROOT));
            case Not n -> headerNames(n.key());
            case Or or -> {
                java.util.Set<String> both = new java.util.HashSet<>(headerNames(or.a()));
                both.addAll(headerNames(or.b()));
                yield both;
            }
            case And and -> {
                java.util.Set<String> all = new java.util.HashSet<>();
                for (SearchKey x : and.keys()) all.addAll(headerNames(x));
                yield all;
            }
            default -> java.util.Set.of();
        };
    }

    /** True when every header key names a field of the cached form ({@link SearchFields#CACHED}). */
    static boolean cachedFieldsOnly(SearchKey k) {
        return switch (k) {
            case Header h -> SearchFields.CACHED.contains(h.name().toLowerCase(Locale.ROOT));
            case Not n -> cachedFieldsOnly(n.key());
            case Or or -> cachedFieldsOnly(or.a()) && cachedFieldsOnly(or.b());
            case And and -> and.keys().stream().allMatch(SearchKey::cachedFieldsOnly);
            default -> true;
        };
    }

    default boolean matches(Candidate c) {
        return switch (this) {
            case All x -> true;
            case Flag f -> c.info().flags().contains(f.flag()) == f.set();
            case Seq s -> s.uid() ? s.set().contains(c.info().uid(), c.maxUid()) : s.set().contains(c.seq(), c.maxSeq());
            case Header h -> SearchFields.matches(c.fields().get(), h.nameKey(), h.needle());
            case Body b -> {
                MimePart m = c.message().get();
                int from = b.withHeader() ? m.start() : m.bodyStart();
                String text = new String(m.src(), from, m.end() - from, StandardCharsets.UTF_8);
                yield text.toLowerCase(Locale.ROOT).contains(b.text().toLowerCase(Locale.ROOT));
            }
            case Size s -> s.larger() ? c.info().size() > s.n() : c.info().size() < s.n();
            case Date d -> {
                LocalDate day = c.info().internalDate().atOffset(ZoneOffset.UTC).toLocalDate();
                yield switch (d.cmp()) {
                    case -1 -> day.isBefore(d.day());
                    case 0 -> day.isEqual(d.day());
                    default -> !day.isBefore(d.day());
                };
            }
            case ModSeq m -> c.info().modseq() >= m.n();
            case Not n -> !n.key().matches(c);
            case Or o -> o.a().matches(c) || o.b().matches(c);
            case And and -> and.keys().stream().allMatch(k -> k.matches(c));
        };
    }
}
