package moat.protocol.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import moat.protocol.imap.ImapBackend.MessageInfo;

/**
 * SEARCH and UID SEARCH (RFC 9051 section 6.4.4) with RFC 4731 ESEARCH results (RETURN MIN, MAX,
 * ALL, COUNT, SAVE) and RFC 7162 MODSEQ. Header keys on the cached fields read the decoded
 * {@code body_search} rows, pre-filtered in SQL (docs/adr/0017-summaries-at-arrival.md); other
 * header keys read the cached header section; BODY and TEXT read the message. Split out of
 * {@link MessageCommands} (one class per command family).
 */
final class SearchCommand {
    private final ImapSession s;

    SearchCommand(ImapSession s) {
        this.s = s;
    }

    ImapAction search(ImapRequest req) throws SyntaxError {
        String tag = req.tag();
        boolean uid = req.uid();
        Args a = req.args();
        SelectedMailbox sel = s.selected;
        a.sp();
        Optional<Set<String>> ret = Optional.empty();
        if (a.peekName().equals("RETURN")) {
            a.atom();
            a.sp();
            a.open();
            Set<String> opts = new LinkedHashSet<>();
            while (!a.peekIs(')')) {
                String opt = a.atom().toUpperCase(Locale.ROOT);
                if (!Set.of("MIN", "MAX", "COUNT", "ALL").contains(opt)) throw new SyntaxError("Unknown RETURN option");
                opts.add(opt);
                a.skip(' ');
            }
            a.close();
            a.sp();
            ret = Optional.of(opts.isEmpty() ? Set.of("ALL") : opts);
        }
        if (a.peekName().equals("CHARSET")) {
            a.atom();
            a.sp();
            String cs = a.astring().toUpperCase(Locale.ROOT);
            if (!cs.equals("UTF-8") && !cs.equals("US-ASCII")) {
                return s.no(tag, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
            }
            a.sp();
        }
        SearchKey key = SearchKey.parseAll(a);
        a.end();
        if (containsSearchRes(key)) return s.bad(tag, "SEARCHRES is not supported");
        if (ret.isEmpty() && s.rev2) ret = Optional.of(Set.of("ALL"));
        List<Long> hits = new ArrayList<>();
        long maxModseq = 0;
        boolean failed = false;
        // Header keys on the usual fields read the cached SearchFields form, and the store already
        // empties the fields of messages that cannot match; a key on another field reads the
        // cached raw header section. A message without a summary is parsed, and its summary
        // saved when the key needs nothing more than its header.
        boolean headersOnly = readsOnlyHeaders(key);
        boolean cachedNames = SearchKey.cachedFieldsOnly(key);
        List<byte[]> required = cachedNames ? SearchKey.required(key) : List.of();
        Set<String> names = SearchKey.headerNames(key); // what a field list built on the fly needs
        Map<Long, ImapBackend.HeaderFields> cachedFields = Map.of();
        Map<Long, ImapBackend.Summary> summaries = Map.of();
        if (readsMessage(key) && sel.size() > 0) {
            if (cachedNames && (headersOnly || !required.isEmpty()))
                cachedFields = s.backend.headerFields(sel.id, sel.uids(), required);
            else if (headersOnly) summaries = s.backend.summaries(sel.id, sel.uids());
        }
        Map<Long, ImapBackend.Summary> fresh = new HashMap<>();
        for (int i = 1; i <= sel.size(); i++) {
            long u = sel.uidAt(i);
            MessageInfo info = sel.info(u);
            if (info == null) continue; // gone before this session read its details
            ImapBackend.HeaderFields hf = cachedFields.get(u);
            byte[] fields = hf != null && hf.format() == MessageSummary.FORMAT ? hf.fields() : null;
            if (fields != null && !required.isEmpty() && !containsAny(fields, required)) continue; // cannot match
            ImapBackend.Summary summary = summaries.get(u);
            byte[] header = MessageSummary.usable(summary) ? summary.header() : null;
            boolean cached = fields != null || header != null;
            MimePart[] parsed = new MimePart[1];
            boolean[] broken = new boolean[1];
            java.util.function.Supplier<MimePart> message = () -> {
                if (parsed[0] == null) {
                    try {
                        parsed[0] = MimePart.parse(s.backend.read(sel.id, u));
                        if (headersOnly && !cached && fresh.size() < MAX_FRESH_SUMMARIES)
                            fresh.put(u, MessageSummary.of(parsed[0]));
                    } catch (IOException e) {
                        broken[0] = true;
                        parsed[0] = MimePart.parse(new byte[0]);
                    }
                }
                return parsed[0];
            };
            java.util.function.Supplier<byte[]> allFields = fields != null ? () -> fields
                    : header != null ? () -> SearchFields.of(MimePart.headers(header, 0, header.length), names)
                    : () -> SearchFields.of(message.get().headers(), names);
            SearchKey.Candidate c = new SearchKey.Candidate(i, sel.size(), sel.maxUid(), info, allFields, message);
            if (key.matches(c)) {
                hits.add(uid ? u : i);
                maxModseq = Math.max(maxModseq, info.modseq());
            }
            failed |= broken[0];
        }
        if (!fresh.isEmpty()) s.backend.saveSummaries(sel.id, fresh);
        boolean modseqKey = mentionsModseq(key);
        Out o = new Out();
        if (ret.isEmpty()) {
            StringBuilder sb = new StringBuilder("SEARCH");
            for (long h : hits) sb.append(' ').append(h);
            if (modseqKey && !hits.isEmpty()) sb.append(" (MODSEQ ").append(maxModseq).append(')');
            o.untagged(sb.toString());
        } else {
            StringBuilder sb = new StringBuilder("ESEARCH (TAG \"" + tag + "\")" + (uid ? " UID" : ""));
            Set<String> r = ret.get();
            if (r.contains("MIN") && !hits.isEmpty()) sb.append(" MIN ").append(hits.stream().mapToLong(x -> x).min().getAsLong());
            if (r.contains("MAX") && !hits.isEmpty()) sb.append(" MAX ").append(hits.stream().mapToLong(x -> x).max().getAsLong());
            if (r.contains("COUNT")) sb.append(" COUNT ").append(hits.size());
            if (r.contains("ALL") && !hits.isEmpty()) sb.append(" ALL ").append(MessageCommands.compress(hits));
            if (modseqKey && !hits.isEmpty()) sb.append(" MODSEQ ").append(maxModseq);
            o.untagged(sb.toString());
        }
        s.updates(o, uid);
        if (failed) return s.send(o, tag, "NO", "Some messages could not be read");
        return s.send(o, tag, (uid ? "UID " : "") + "SEARCH completed");
    }

    private static boolean containsSearchRes(SearchKey k) {
        return switch (k) {
            case SearchKey.Seq q -> q.set().searchResult();
            case SearchKey.Not n -> containsSearchRes(n.key());
            case SearchKey.Or or -> containsSearchRes(or.a()) || containsSearchRes(or.b());
            case SearchKey.And and -> and.keys().stream().anyMatch(SearchCommand::containsSearchRes);
            default -> false;
        };
    }

    /** True when {@code fields} holds at least one of the byte strings. */
    private static boolean containsAny(byte[] fields, List<byte[]> needles) {
        for (byte[] n : needles) if (SearchFields.holds(fields, n)) return true;
        return false;
    }

    /** Bounds the summaries one SEARCH builds in memory before saving them (about 2 KB each). */
    private static final int MAX_FRESH_SUMMARIES = 20_000;

    private static boolean readsMessage(SearchKey k) {
        return switch (k) {
            case SearchKey.Header h -> true;
            case SearchKey.Body b -> true;
            case SearchKey.Not n -> readsMessage(n.key());
            case SearchKey.Or or -> readsMessage(or.a()) || readsMessage(or.b());
            case SearchKey.And and -> and.keys().stream().anyMatch(SearchCommand::readsMessage);
            default -> false;
        };
    }

    /** True when no key needs more of a message than its top-level header (no BODY/TEXT). */
    private static boolean readsOnlyHeaders(SearchKey k) {
        return switch (k) {
            case SearchKey.Body b -> false;
            case SearchKey.Not n -> readsOnlyHeaders(n.key());
            case SearchKey.Or or -> readsOnlyHeaders(or.a()) && readsOnlyHeaders(or.b());
            case SearchKey.And and -> and.keys().stream().allMatch(SearchCommand::readsOnlyHeaders);
            default -> true;
        };
    }

    private static boolean mentionsModseq(SearchKey k) {
        return switch (k) {
            case SearchKey.ModSeq m -> true;
            case SearchKey.Not n -> mentionsModseq(n.key());
            case SearchKey.Or or -> mentionsModseq(or.a()) || mentionsModseq(or.b());
            case SearchKey.And and -> and.keys().stream().anyMatch(SearchCommand::mentionsModseq);
            default -> false;
        };
    }
}
