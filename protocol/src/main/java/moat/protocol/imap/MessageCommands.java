package moat.protocol.imap;

import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import moat.protocol.imap.ImapBackend.FlagMode;
import moat.protocol.imap.ImapBackend.MailboxInfo;
import moat.protocol.imap.ImapBackend.MessageInfo;

/**
 * Selected-state commands (RFC 9051 sections 6.4.1-6.4.9): FETCH, STORE, SEARCH (with RFC 4731
 * ESEARCH results), COPY and MOVE (RFC 6851) with RFC 4315 COPYUID, EXPUNGE and UID EXPUNGE,
 * CLOSE, UNSELECT; RFC 7162 CONDSTORE modifiers CHANGEDSINCE and UNCHANGEDSINCE.
 *
 * <p>Non-UID FETCH, STORE and SEARCH never announce EXPUNGE (RFC 9051 section 7.5.1), since
 * the client's sequence numbers must stay valid while it pipelines them.
 */
final class MessageCommands {
    /** LIMITATION: a FETCH response is built in memory; past this many octets the rest is refused. */
    static final int MAX_RESPONSE = 64 * 1024 * 1024;
    /** Messages whose summaries FETCH reads at once (one indexed range read each batch). */
    static final int SUMMARY_BATCH = 1000;
    private final ImapSession s;

    private final SearchCommand search;

    MessageCommands(ImapSession s) {
        this.search = new SearchCommand(s);
        this.s = s;
    }

    ImapAction handle(String tag, String verb, boolean uid, Args a) throws SyntaxError {
        SelectedMailbox sel = s.selected;
        return switch (verb) {
            case "FETCH" -> fetch(tag, uid, a, sel);
            case "STORE" -> store(tag, uid, a, sel);
            case "SEARCH" -> search.search(tag, uid, a, sel);
            case "COPY", "MOVE" -> copy(tag, uid, a, sel, verb.equals("MOVE"));
            case "EXPUNGE" -> expunge(tag, uid, a, sel);
            case "CLOSE", "UNSELECT" -> {
                a.end();
                if (verb.equals("CLOSE") && !sel.readOnly) s.backend.expunge(sel.id, Optional.empty());
                s.closeSelected();
                s.state = ImapSession.State.AUTHENTICATED;
                yield s.send(new Out(), tag, verb + " completed");
            }
            default -> throw new SyntaxError("Unknown command");
        };
    }

    /** The UIDs a set names, in sequence order; empty Optional when a sequence number is out of range. */
    private static Optional<List<Long>> resolve(SequenceSet set, boolean uid, SelectedMailbox sel) {
        return resolveSeqs(set, uid, sel).map(seqs -> {
            List<Long> out = new ArrayList<>(seqs.length);
            for (int q : seqs) out.add(sel.uidAt(q));
            return out;
        });
    }

    /** The sequence numbers a set names, ascending; empty Optional when a sequence number is out of range. */
    private static Optional<int[]> resolveSeqs(SequenceSet set, boolean uid, SelectedMailbox sel) {
        if (set.searchResult()) return Optional.empty();
        int n = sel.size();
        int[] out = new int[n];
        int k = 0;
        if (uid) {
            long max = sel.maxUid();
            for (int i = 1; i <= n; i++) if (set.contains(sel.uidAt(i), max)) out[k++] = i;
            return Optional.of(java.util.Arrays.copyOf(out, k));
        }
        for (SequenceSet.Range r : set.ranges()) {
            if (r.hi(n) > n || r.lo(n) < 1) return Optional.empty();
        }
        for (int i = 1; i <= n; i++) if (set.contains(i, n)) out[k++] = i;
        return Optional.of(java.util.Arrays.copyOf(out, k));
    }

    private ImapAction fetch(String tag, boolean uid, Args a, SelectedMailbox sel) throws SyntaxError {
        a.sp();
        SequenceSet set = SequenceSet.parse(a.word());
        a.sp();
        List<FetchItem> items = new ArrayList<>(FetchItem.parse(a));
        OptionalLong changedSince = OptionalLong.empty();
        boolean vanished = false;
        if (!a.atEnd()) {
            a.sp();
            a.open();
            while (!a.peekIs(')')) {
                String mod = a.atom().toUpperCase(Locale.ROOT);
                if (mod.equals("CHANGEDSINCE")) {
                    a.sp();
                    changedSince = OptionalLong.of(a.number());
                } else if (mod.equals("VANISHED")) {
                    vanished = true;
                } else {
                    throw new SyntaxError("Unknown FETCH modifier");
                }
                a.skip(' ');
            }
            a.close();
            s.condstore = true;
        }
        a.end();
        // RFC 7162 section 3.2.6: VANISHED only in UID FETCH, with CHANGEDSINCE, once QRESYNC is enabled
        if (vanished && (!uid || changedSince.isEmpty() || !s.qresync))
            throw new SyntaxError("VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC");
        if (uid && items.stream().noneMatch(i -> i instanceof FetchItem.Uid)) items.addFirst(new FetchItem.Uid());
        if ((changedSince.isPresent() || s.condstore) && items.stream().noneMatch(i -> i instanceof FetchItem.ModSeq))
            if (changedSince.isPresent()) items.add(new FetchItem.ModSeq());
        if (items.stream().allMatch(i -> i instanceof FetchItem.Uid || i instanceof FetchItem.Flags
                || i instanceof FetchItem.ModSeq)) {
            Optional<int[]> seqs = resolveSeqs(set, uid, sel);
            if (seqs.isEmpty()) return s.bad(tag, "Invalid message sequence number");
            return fetchFlags(tag, uid, items, seqs.get(), changedSince, vanished ? set : null, sel);
        }
        Optional<List<Long>> uids = resolve(set, uid, sel);
        if (uids.isEmpty()) return s.bad(tag, "Invalid message sequence number");
        boolean setsSeen = !sel.readOnly && items.stream().anyMatch(i -> i instanceof FetchItem.Section sec && !sec.peek()
                || i instanceof FetchItem.Binary bin && !bin.peek()
                || i instanceof FetchItem.Rfc822 r && !r.which().equals("RFC822.HEADER"));
        boolean needsFile = items.stream().anyMatch(i -> i instanceof FetchItem.Section || i instanceof FetchItem.Rfc822
                || i instanceof FetchItem.Binary || i instanceof FetchItem.BinarySize);
        boolean needsStructure = items.stream().anyMatch(i -> i instanceof FetchItem.Envelope
                || i instanceof FetchItem.Structure);
        // ENVELOPE/BODY/BODYSTRUCTURE come from the summary cache; only the missing ones are parsed;
        // read a batch at a time: FETCH 1:* of a large mailbox holds one batch of summaries, not all
        Map<Long, ImapBackend.Summary> cached = Map.of();
        int cachedTo = 0;
        Map<Long, ImapBackend.Summary> fresh = new HashMap<>();
        Set<Long> seenNow = new java.util.HashSet<>();
        if (setsSeen) {
            Set<Long> unseen = new TreeSet<>();
            for (long u : uids.get()) {
                MessageInfo mi = sel.info(u);
                if (mi != null && !mi.flags().contains("\\Seen")) unseen.add(u);
            }
            if (!unseen.isEmpty()) {
                for (MessageInfo m : s.backend.store(sel.id, unseen, FlagMode.ADD, Set.of("\\Seen"), OptionalLong.empty())) {
                    sel.updated(m);
                    seenNow.add(m.uid());
                }
            }
        }
        Out o = new Out();
        if (vanished) {
            String gone = sel.missing(set);
            if (!gone.isEmpty()) o.untagged("VANISHED (EARLIER) " + gone);
        }
        boolean failed = false;
        boolean truncated = false;
        boolean unknownCte = false;
        for (int k = 0; k < uids.get().size(); k++) {
            long u = uids.get().get(k);
            if (needsStructure && k >= cachedTo) {
                if (!fresh.isEmpty()) { // saved per batch too: a cold FETCH 1:* holds one batch of them
                    s.backend.saveSummaries(sel.id, fresh);
                    fresh.clear();
                }
                cachedTo = Math.min(uids.get().size(), k + SUMMARY_BATCH);
                cached = s.backend.summaries(sel.id, uids.get().subList(k, cachedTo));
            }
            if (o.size() > MAX_RESPONSE) { // the response is built in memory: bound it
                truncated = true;
                break;
            }
            MessageInfo info = sel.info(u);
            if (info == null) { // expunged by another session before this session read its details
                failed = true;
                continue;
            }
            if (changedSince.isPresent() && info.modseq() <= changedSince.getAsLong()) continue;
            MimePart msg = null;
            ImapBackend.Summary summary = cached.get(u);
            if (!MessageSummary.usable(summary)) summary = null;
            if (needsFile || (needsStructure && summary == null)) {
                try {
                    msg = MimePart.parse(s.backend.read(sel.id, u));
                } catch (IOException e) {
                    failed = true; // expunged by another session meanwhile, or unreadable
                    continue;
                }
                if (needsStructure && summary == null) {
                    summary = MessageSummary.of(msg);
                    fresh.put(u, summary);
                }
            }
            // the line goes straight into the response; a refusal (UNKNOWN-CTE) cuts it off again
            int lineStart = o.size();
            o.text("* ").number(sel.seqOf(u)).text(" FETCH (");
            boolean first = true;
            List<FetchItem> these = items;
            if (seenNow.contains(u) && items.stream().noneMatch(i -> i instanceof FetchItem.Flags)) {
                these = new ArrayList<>(items);
                these.add(new FetchItem.Flags());
            }
            try {
                for (FetchItem it : these) {
                    if (!first) o.text(" ");
                    first = false;
                    item(o, it, info, msg, summary);
                }
            } catch (UnknownEncoding e) {
                o.truncate(lineStart);
                unknownCte = true;
                continue;
            }
            o.text(")").crlf();
        }
        if (!fresh.isEmpty()) s.backend.saveSummaries(sel.id, fresh);
        o.text(new String(s.updates(uid).bytes(), java.nio.charset.StandardCharsets.UTF_8));
        if (truncated) return s.send(o, tag, "NO", "[LIMIT] Response too large; fetch fewer messages at once");
        if (unknownCte) return s.send(o, tag, "NO", "[UNKNOWN-CTE] Unknown Content-Transfer-Encoding; use BODY[]");
        if (failed) return s.send(o, tag, "NO", "Some messages could not be fetched");
        return s.send(o, tag, (uid ? "UID " : "") + "FETCH completed");
    }

    private static final byte[] STAR = ascii("* ");
    private static final byte[] FETCH_OPEN = ascii(" FETCH (");
    private static final byte[] UID = ascii("UID ");
    private static final byte[] SP_UID = ascii(" UID ");
    private static final byte[] FLAGS = ascii("FLAGS ");
    private static final byte[] SP_FLAGS = ascii(" FLAGS ");
    private static final byte[] MODSEQ = ascii("MODSEQ (");
    private static final byte[] SP_MODSEQ = ascii(" MODSEQ (");
    private static final byte[] CLOSE = ascii(")");
    private static final byte[] CLOSE_CRLF = ascii(")\r\n");

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * FETCH of only UID, FLAGS and MODSEQ, what a client syncing flags asks for: written from
     * the selected view's arrays after the narrow scan (docs/adr/0018), with no object per
     * message. Nothing here sets \Seen, so no flag changes; the same answers as the general path.
     */
    private ImapAction fetchFlags(String tag, boolean uid, List<FetchItem> items, int[] seqs,
                                  OptionalLong changedSince, SequenceSet vanishedOf, SelectedMailbox sel) {
        sel.loadFlags();
        Out o = new Out();
        if (vanishedOf != null) {
            String gone = sel.missing(vanishedOf);
            if (!gone.isEmpty()) o.untagged("VANISHED (EARLIER) " + gone);
        }
        int[] kinds = new int[items.size()]; // 0 UID, 1 FLAGS, 2 MODSEQ
        for (int j = 0; j < kinds.length; j++)
            kinds[j] = items.get(j) instanceof FetchItem.Uid ? 0 : items.get(j) instanceof FetchItem.Flags ? 1 : 2;
        long since = changedSince.orElse(Long.MAX_VALUE);
        boolean failed = false;
        boolean truncated = false;
        for (int q : seqs) {
            if (o.size() > MAX_RESPONSE) {
                truncated = true;
                break;
            }
            int i = q - 1;
            int k = sel.flagSetAt(i);
            if (k < 0) { // expunged by another session before this session read its details
                failed = true;
                continue;
            }
            if (changedSince.isPresent() && sel.modseqAt(i) <= since) continue;
            o.raw(STAR).number(q).raw(FETCH_OPEN);
            for (int j = 0; j < kinds.length; j++) {
                switch (kinds[j]) {
                    case 0 -> o.raw(j == 0 ? UID : SP_UID).number(sel.uidAt(q));
                    case 1 -> o.raw(j == 0 ? FLAGS : SP_FLAGS).raw(sel.flagText(k));
                    default -> o.raw(j == 0 ? MODSEQ : SP_MODSEQ).number(sel.modseqAt(i)).raw(CLOSE);
                }
            }
            o.raw(CLOSE_CRLF);
        }
        o.text(new String(s.updates(uid).bytes(), java.nio.charset.StandardCharsets.UTF_8));
        if (truncated) return s.send(o, tag, "NO", "[LIMIT] Response too large; fetch fewer messages at once");
        if (failed) return s.send(o, tag, "NO", "Some messages could not be fetched");
        return s.send(o, tag, (uid ? "UID " : "") + "FETCH completed");
    }

    /** A BINARY fetch met a Content-Transfer-Encoding Moat cannot undo (RFC 3516 section 4.3). */
    private static final class UnknownEncoding extends Exception {
        UnknownEncoding() {
            super(null, null, false, false);
        }
    }

    /** The octets of BINARY[part]: the part's body decoded; multipart and message parts as they are. */
    private static byte[] binary(MimePart msg, List<Integer> path) throws UnknownEncoding {
        Optional<MimePart> found = msg.at(path);
        if (found.isEmpty()) return new byte[0];
        MimePart p = found.get();
        boolean leaf = p.children().isEmpty() && p.message().isEmpty();
        if (!leaf) return path.isEmpty() ? p.src() : p.slice(p.bodyStart(), p.end());
        byte[] body = TransferDecoding.decode(p.header("Content-Transfer-Encoding"), p.src(), p.bodyStart(), p.end())
                .orElseThrow(UnknownEncoding::new);
        if (!path.isEmpty()) return body;
        // BINARY[] of a single-part message: its header as is, then the decoded body
        byte[] head = p.slice(p.start(), p.bodyStart());
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private Set<String> lastFlags;
    private String lastFlagsText;

    /**
     * Out.flags, remembered for the last flag set: the selected view shares one set object
     * among the messages with the same flags, and neighbours mostly have the same.
     */
    private String flagsText(Set<String> flags) {
        if (flags != lastFlags) {
            lastFlagsText = Out.flags(flags);
            lastFlags = flags;
        }
        return lastFlagsText;
    }

    private void item(Out o, FetchItem it, MessageInfo info, MimePart msg, ImapBackend.Summary summary)
            throws UnknownEncoding {
        switch (it) {
            case FetchItem.Flags f -> o.text("FLAGS ").text(flagsText(info.flags()));
            case FetchItem.Uid u -> o.text("UID ").number(info.uid());
            case FetchItem.InternalDate d -> o.text("INTERNALDATE \""
                    + MailboxCommands.DATE_TIME.format(info.internalDate().atZone(ZoneOffset.UTC)).replace("+0000", "+0000")
                    + "\"");
            case FetchItem.Size z -> o.text("RFC822.SIZE " + info.size());
            case FetchItem.ModSeq m -> o.text("MODSEQ (").number(info.modseq()).text(")");
            case FetchItem.Envelope e -> o.text("ENVELOPE ").raw(summary.envelope());
            case FetchItem.Structure st -> o.text(st.extensible() ? "BODYSTRUCTURE " : "BODY ")
                    .raw(st.extensible() ? summary.bodyStructure() : summary.body());
            case FetchItem.Rfc822 r -> {
                byte[] b = switch (r.which()) {
                    case "RFC822.HEADER" -> msg.slice(msg.start(), msg.bodyStart());
                    case "RFC822.TEXT" -> msg.slice(msg.bodyStart(), msg.end());
                    default -> msg.src();
                };
                o.text(r.which() + " ").literal(b, 0, b.length);
            }
            case FetchItem.Binary bin -> {
                byte[] b = binary(msg, bin.part());
                int off = 0;
                int len = b.length;
                String origin = "";
                if (bin.partial().isPresent()) {
                    long[] p = bin.partial().get();
                    off = (int) Math.min(p[0], b.length);
                    len = (int) Math.min(p[1], b.length - off);
                    origin = "<" + p[0] + ">";
                }
                o.text("BINARY[" + bin.spec() + "]" + origin + " ").literal8(b, off, len);
            }
            case FetchItem.BinarySize bs -> o.text("BINARY.SIZE[" + new FetchItem.Binary(true, bs.part(),
                    Optional.empty()).spec() + "] " + binary(msg, bs.part()).length);
            case FetchItem.Section sec -> {
                byte[] b = section(msg, sec);
                int off = 0;
                int len = b.length;
                String origin = "";
                if (sec.partial().isPresent()) {
                    long[] p = sec.partial().get();
                    off = (int) Math.min(p[0], b.length);
                    len = (int) Math.min(p[1], b.length - off);
                    origin = "<" + p[0] + ">";
                }
                o.text("BODY[" + sec.spec() + "]" + origin + " ").literal(b, off, len);
            }
        }
    }

    private static byte[] section(MimePart msg, FetchItem.Section sec) {
        Optional<MimePart> found = msg.at(sec.part());
        if (found.isEmpty()) return new byte[0];
        MimePart p = found.get();
        boolean whole = sec.part().isEmpty();
        // HEADER/TEXT of a message/rfc822 part address the message inside it.
        MimePart m = whole ? p : p.message().orElse(p);
        return switch (sec.text()) {
            case "" -> whole ? p.src() : p.slice(p.bodyStart(), p.end());
            case "MIME" -> p.slice(p.start(), p.bodyStart());
            case "HEADER" -> m.slice(m.start(), m.bodyStart());
            case "TEXT" -> m.slice(m.bodyStart(), m.end());
            case "HEADER.FIELDS" -> m.headerFields(sec.fields(), false);
            default -> m.headerFields(sec.fields(), true);
        };
    }

    private ImapAction store(String tag, boolean uid, Args a, SelectedMailbox sel) throws SyntaxError {
        a.sp();
        SequenceSet set = SequenceSet.parse(a.word());
        a.sp();
        OptionalLong unchangedSince = OptionalLong.empty();
        if (a.peekIs('(')) {
            a.open();
            if (!a.atom().equalsIgnoreCase("UNCHANGEDSINCE")) throw new SyntaxError("Unknown STORE modifier");
            a.sp();
            unchangedSince = OptionalLong.of(a.number());
            a.close();
            a.sp();
            s.condstore = true;
        }
        String op = a.atom().toUpperCase(Locale.ROOT);
        boolean silent = op.endsWith(".SILENT");
        if (silent) op = op.substring(0, op.length() - 7);
        FlagMode mode = switch (op) {
            case "+FLAGS" -> FlagMode.ADD;
            case "-FLAGS" -> FlagMode.REMOVE;
            case "FLAGS" -> FlagMode.REPLACE;
            default -> throw new SyntaxError("Expected FLAGS, +FLAGS or -FLAGS");
        };
        a.sp();
        Set<String> flags;
        if (a.peekIs('(')) {
            flags = MailboxCommands.flagList(a);
        } else {
            flags = new LinkedHashSet<>();
            flags.add(MailboxCommands.flag(a));
            while (a.skip(' ')) flags.add(MailboxCommands.flag(a));
        }
        a.end();
        Optional<List<Long>> uids = resolve(set, uid, sel);
        if (uids.isEmpty()) return s.bad(tag, "Invalid message sequence number");
        if (sel.readOnly) return s.no(tag, "[READ-ONLY] Mailbox is read-only");
        List<MessageInfo> changed = s.backend.store(sel.id, new TreeSet<>(uids.get()), mode, flags, unchangedSince);
        Out o = new Out();
        Set<Long> changedUids = new java.util.HashSet<>();
        for (MessageInfo m : changed) {
            sel.updated(m);
            changedUids.add(m.uid());
            if (silent && unchangedSince.isEmpty()) continue;
            o.untagged(sel.seqOf(m.uid()) + " FETCH (" + (uid ? "UID " + m.uid() + " " : "") + "FLAGS "
                    + Out.flags(m.flags()) + (s.condstore ? " MODSEQ (" + m.modseq() + ")" : "") + ")");
        }
        String modified = "";
        if (unchangedSince.isPresent()) {
            List<Long> mod = new ArrayList<>();
            for (long u : uids.get())
                if (!changedUids.contains(u) && sel.info(u) instanceof MessageInfo mi
                        && mi.modseq() > unchangedSince.getAsLong())
                    mod.add(uid ? u : sel.seqOf(u));
            if (!mod.isEmpty()) modified = "[MODIFIED " + compress(mod) + "] ";
        }
        o.text(new String(s.updates(uid).bytes(), java.nio.charset.StandardCharsets.UTF_8));
        return s.send(o, tag, modified + (uid ? "UID " : "") + "STORE completed");
    }

    private ImapAction copy(String tag, boolean uid, Args a, SelectedMailbox sel, boolean move) throws SyntaxError {
        a.sp();
        SequenceSet set = SequenceSet.parse(a.word());
        a.sp();
        Optional<String> name = MailboxName.fromWire(a.astring(), s.utf8);
        a.end();
        String verb = move ? "MOVE" : "COPY";
        Optional<List<Long>> uids = resolve(set, uid, sel);
        if (uids.isEmpty()) return s.bad(tag, "Invalid message sequence number");
        if (name.isEmpty()) return s.no(tag, "[CANNOT] Invalid mailbox name");
        if (move && sel.readOnly) return s.no(tag, "[READ-ONLY] Mailbox is read-only");
        Optional<MailboxInfo> dest = s.backend.find(s.user, name.get());
        if (dest.isEmpty()) return s.no(tag, "[TRYCREATE] No such mailbox");
        if (uids.get().isEmpty()) return s.send(new Out(), tag, verb + " completed (nothing to do)");
        if (!move) { // MOVE stays within the user's one quota root: usage does not change
            long more = 0;
            for (long u : uids.get()) more += sel.info(u) instanceof MessageInfo mi ? mi.size() : 0;
            Optional<ImapAction> over = QuotaCommands.refuseOver(s, tag, more);
            if (over.isPresent()) return over.get();
        }
        ImapBackend.CopyResult r = s.backend.copy(sel.id, new TreeSet<>(uids.get()), dest.get().id(), move);
        String copyuid = r.sourceUids().isEmpty() ? ""
                : "[COPYUID " + r.uidValidity() + " " + compress(r.sourceUids()) + " " + compress(r.destinationUids()) + "] ";
        Out o = new Out();
        if (move) {
            // RFC 6851 section 4.3: COPYUID travels in an untagged OK before the EXPUNGEs.
            if (!copyuid.isEmpty()) o.untagged("OK " + copyuid + "Moved");
            sel.expunged(r.sourceUids(), o);
            o.text(new String(s.updates(true).bytes(), java.nio.charset.StandardCharsets.UTF_8));
            return s.send(o, tag, verb + " completed");
        }
        o.text(new String(s.updates(uid).bytes(), java.nio.charset.StandardCharsets.UTF_8));
        return s.send(o, tag, copyuid + verb + " completed");
    }

    private ImapAction expunge(String tag, boolean uid, Args a, SelectedMailbox sel) throws SyntaxError {
        Optional<Set<Long>> only = Optional.empty();
        if (uid) {
            a.sp();
            SequenceSet set = SequenceSet.parse(a.word());
            only = Optional.of(new TreeSet<>(resolve(set, true, sel).orElse(List.of())));
        }
        a.end();
        if (sel.readOnly) return s.no(tag, "[READ-ONLY] Mailbox is read-only");
        List<Long> gone = s.backend.expunge(sel.id, only);
        Out o = new Out();
        sel.expunged(gone, o);
        o.text(new String(s.updates(true).bytes(), java.nio.charset.StandardCharsets.UTF_8));
        return s.send(o, tag, (uid ? "UID " : "") + "EXPUNGE completed");
    }

    /** 1,2,3,5 -> "1:3,5" (order kept; runs only when ascending by one). */
    static String compress(List<Long> nums) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < nums.size()) {
            int j = i;
            while (j + 1 < nums.size() && nums.get(j + 1) == nums.get(j) + 1) j++;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(nums.get(i));
            if (j > i) sb.append(':').append(nums.get(j));
            i = j + 1;
        }
        return sb.toString();
    }
}
