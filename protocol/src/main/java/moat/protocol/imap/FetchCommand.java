package moat.protocol.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import moat.protocol.imap.ImapBackend.FlagMode;
import moat.protocol.imap.ImapBackend.MessageInfo;
import moat.protocol.imap.ImapBackend.Summary;

/**
 * FETCH and UID FETCH (RFC 9051 section 6.4.5), with RFC 7162 CHANGEDSINCE and VANISHED and RFC
 * 3516 BINARY, in named steps: {@link #parse} the items, {@link #resolve} the messages (and set
 * \Seen where an item implies it), {@link #respond} with one FETCH response per message, then
 * {@link #finish} with the updates and the tagged result. Responses are written as octets
 * straight into one {@link Out}; nothing goes through a String on the way back.
 *
 * <p>Non-UID FETCH never announces EXPUNGE (RFC 9051 section 7.5.1): the client's sequence
 * numbers must stay valid while it pipelines commands.
 *
 * <p>LIMITATION: the response is built in memory; past {@link #MAX_RESPONSE} octets the rest is
 * refused with NO [LIMIT].
 */
final class FetchCommand {
    static final int MAX_RESPONSE = 64 * 1024 * 1024;
    /** Messages whose summaries are read at once (one indexed range read each batch). */
    static final int SUMMARY_BATCH = 1000;

    /** What the client asked for, parsed. {@code items} already hold the UID and MODSEQ the command implies. */
    record Request(SequenceSet set, boolean uid, List<FetchItem> items, OptionalLong changedSince, boolean vanished) {
        /** Only UID, FLAGS and MODSEQ: what a client syncing flags asks for, answered from the selected view. */
        boolean flagsOnly() {
            return items.stream().allMatch(i -> i instanceof FetchItem.Uid || i instanceof FetchItem.Flags
                    || i instanceof FetchItem.ModSeq);
        }

        /** Some item reads the message's octets. */
        boolean needsFile() {
            return items.stream().anyMatch(i -> i instanceof FetchItem.Section || i instanceof FetchItem.Rfc822
                    || i instanceof FetchItem.Binary || i instanceof FetchItem.BinarySize);
        }

        /** Some item is answered from the summary (ENVELOPE, BODY, BODYSTRUCTURE). */
        boolean needsStructure() {
            return items.stream().anyMatch(i -> i instanceof FetchItem.Envelope || i instanceof FetchItem.Structure);
        }

        /** Some item sets \Seen: BODY[...], BINARY[...], RFC822 and RFC822.TEXT; not the .PEEK forms. */
        boolean setsSeen() {
            return items.stream().anyMatch(i -> i instanceof FetchItem.Section sec && !sec.peek()
                    || i instanceof FetchItem.Binary bin && !bin.peek()
                    || i instanceof FetchItem.Rfc822 r && !r.which().equals("RFC822.HEADER"));
        }

        boolean hasFlags() {
            return items.stream().anyMatch(i -> i instanceof FetchItem.Flags);
        }
    }

    private final ImapSession s;
    private final SelectedMailbox sel;
    private final String tag;
    private final Request q;
    private final Out o = new Out();
    // what went wrong on the way, for the tagged result
    private boolean failed;
    private boolean truncated;
    private boolean unknownCte;

    private FetchCommand(ImapSession s, String tag, Request q) {
        this.s = s;
        this.sel = s.selected;
        this.tag = tag;
        this.q = q;
    }

    static ImapAction run(ImapSession s, ImapRequest r) throws SyntaxError {
        return new FetchCommand(s, r.tag(), parse(s, r)).run();
    }

    private ImapAction run() {
        if (q.flagsOnly()) {
            Optional<int[]> seqs = MessageCommands.resolveSeqs(q.set(), q.uid(), sel);
            if (seqs.isEmpty()) return s.bad(tag, "Invalid message sequence number");
            respondFromView(seqs.get());
            return finish();
        }
        Optional<List<Long>> uids = MessageCommands.resolve(q.set(), q.uid(), sel);
        if (uids.isEmpty()) return s.bad(tag, "Invalid message sequence number");
        Set<Long> seenNow = markSeen(uids.get());
        respond(uids.get(), seenNow);
        return finish();
    }

    // ---- step 1: parse

    /** The sequence set, the items and the RFC 7162 modifiers (CHANGEDSINCE, VANISHED). */
    static Request parse(ImapSession s, ImapRequest r) throws SyntaxError {
        Args a = r.args();
        boolean uid = r.uid();
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
            s.condstore = true; // RFC 7162 section 3.1: a CONDSTORE modifier enables CONDSTORE
        }
        a.end();
        // RFC 7162 section 3.2.6: VANISHED only in UID FETCH, with CHANGEDSINCE, once QRESYNC is enabled
        if (vanished && (!uid || changedSince.isEmpty() || !s.qresync))
            throw new SyntaxError("VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC");
        // RFC 9051 section 6.4.9: UID FETCH answers with the UID; RFC 7162 section 3.1.4.1: CHANGEDSINCE with MODSEQ
        if (uid && items.stream().noneMatch(i -> i instanceof FetchItem.Uid)) items.addFirst(new FetchItem.Uid());
        if (changedSince.isPresent() && items.stream().noneMatch(i -> i instanceof FetchItem.ModSeq))
            items.add(new FetchItem.ModSeq());
        return new Request(set, uid, items, changedSince, vanished);
    }

    // ---- step 2: resolve the messages (UIDs, or sequence numbers for the flags-only form, in run), then \Seen

    /** Sets \Seen where an item implies it; the UIDs that changed, whose FLAGS the response reports. */
    private Set<Long> markSeen(List<Long> uids) {
        Set<Long> seenNow = new HashSet<>();
        if (sel.readOnly || !q.setsSeen()) return seenNow;
        Set<Long> unseen = new TreeSet<>();
        for (long u : uids) {
            MessageInfo mi = sel.info(u);
            if (mi != null && !mi.flags().contains("\\Seen")) unseen.add(u);
        }
        if (unseen.isEmpty()) return seenNow;
        for (MessageInfo m : s.backend.store(sel.id, unseen, FlagMode.ADD, Set.of("\\Seen"), OptionalLong.empty())) {
            sel.updated(m);
            seenNow.add(m.uid());
        }
        return seenNow;
    }

    /** RFC 7162 section 3.2.6: VANISHED (EARLIER) for the UIDs of the set that are gone, before the FETCHes. */
    private void vanished() {
        if (!q.vanished()) return;
        String gone = sel.missing(q.set());
        if (!gone.isEmpty()) o.untagged("VANISHED (EARLIER) " + gone);
    }

    // ---- step 3: one response per message

    private void respond(List<Long> uids, Set<Long> seenNow) {
        vanished();
        Summaries summaries = new Summaries(uids);
        for (int k = 0; k < uids.size(); k++) {
            if (q.needsStructure()) summaries.reach(k);
            if (o.size() > MAX_RESPONSE) { // the response is built in memory: bound it
                truncated = true;
                break;
            }
            long u = uids.get(k);
            respond(u, summaries, seenNow.contains(u));
        }
        summaries.save();
    }

    /** One message's FETCH response; skipped (and noted for the tagged result) when it cannot be made. */
    private void respond(long u, Summaries summaries, boolean seenNow) {
        MessageInfo info = sel.info(u);
        if (info == null) { // expunged by another session before this session read its details
            failed = true;
            return;
        }
        if (q.changedSince().isPresent() && info.modseq() <= q.changedSince().getAsLong()) return;
        MimePart msg = null;
        Summary summary = summaries.get(u);
        if (q.needsFile() || (q.needsStructure() && summary == null)) {
            try {
                msg = MimePart.parse(s.backend.read(sel.id, u));
            } catch (IOException e) {
                failed = true; // expunged by another session meanwhile, or unreadable
                return;
            }
            if (q.needsStructure() && summary == null) {
                summary = MessageSummary.of(msg);
                summaries.parsed(u, summary);
            }
        }
        // the line goes straight into the response; a refusal (UNKNOWN-CTE) cuts it off again
        int lineStart = o.size();
        o.raw(STAR).number(sel.seqOf(u)).raw(FETCH_OPEN);
        try {
            boolean first = true;
            for (FetchItem it : q.items()) {
                if (!first) o.raw(SP);
                first = false;
                item(it, info, msg, summary);
            }
            // RFC 9051 section 6.4.5: a \Seen set by this FETCH is reported with it
            if (seenNow && !q.hasFlags()) {
                if (!first) o.raw(SP);
                item(new FetchItem.Flags(), info, msg, summary);
            }
        } catch (UnknownEncoding e) {
            o.truncate(lineStart);
            unknownCte = true;
            return;
        }
        o.raw(CLOSE_CRLF);
    }

    private void item(FetchItem it, MessageInfo info, MimePart msg, Summary summary) throws UnknownEncoding {
        switch (it) {
            case FetchItem.Flags f -> o.text("FLAGS ").raw(flagsText(info.flags()));
            case FetchItem.Uid u -> o.text("UID ").number(info.uid());
            case FetchItem.InternalDate d -> o.text("INTERNALDATE \"")
                    .text(MailboxCommands.DATE_TIME.format(info.internalDate().atZone(ZoneOffset.UTC))).text("\"");
            case FetchItem.Size z -> o.text("RFC822.SIZE ").number(info.size());
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
                o.text(r.which()).text(" ").literal(b, 0, b.length);
            }
            case FetchItem.Binary bin -> octets("BINARY[" + bin.spec() + "]", binary(msg, bin.part()), bin.partial(), true);
            case FetchItem.BinarySize bs -> o.text("BINARY.SIZE[" + bs.spec() + "] ").number(binary(msg, bs.part()).length);
            case FetchItem.Section sec -> octets("BODY[" + sec.spec() + "]", section(msg, sec), sec.partial(), false);
        }
    }

    /**
     * BODY[...] or BINARY[...] with its octets as a literal; with a partial, only that slice and
     * the origin after the name (RFC 9051 section 6.4.5: {@code BODY[]<0>}), the origin capped
     * at the end of the octets.
     */
    private void octets(String name, byte[] b, Optional<long[]> partial, boolean binary) {
        int off = 0;
        int len = b.length;
        o.text(name);
        if (partial.isPresent()) {
            long[] p = partial.get();
            off = (int) Math.min(p[0], b.length);
            len = (int) Math.min(p[1], b.length - off);
            o.text("<").number(p[0]).text(">");
        }
        o.raw(SP);
        if (binary) o.literal8(b, off, len);
        else o.literal(b, off, len);
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
    private byte[] lastFlagsText;

    /**
     * The FETCH form of a flag set, remembered for the last set: the selected view shares one
     * set object among the messages with the same flags, and neighbours mostly have the same.
     */
    private byte[] flagsText(Set<String> flags) {
        if (flags != lastFlags) {
            lastFlagsText = Out.flags(flags).getBytes(StandardCharsets.UTF_8);
            lastFlags = flags;
        }
        return lastFlagsText;
    }

    /**
     * ENVELOPE, BODY and BODYSTRUCTURE come from the summary cache, read a batch at a time (a
     * FETCH 1:* of a large mailbox holds one batch of summaries, not all); the summaries of
     * messages parsed meanwhile are saved a batch at a time too.
     */
    private final class Summaries {
        private final List<Long> uids;
        private Map<Long, Summary> cached = Map.of();
        private int cachedTo;
        private final Map<Long, Summary> fresh = new HashMap<>();

        Summaries(List<Long> uids) {
            this.uids = uids;
        }

        /** Reads the batch from the {@code k}-th message on when {@code k} is past the last one read. */
        void reach(int k) {
            if (k < cachedTo) return;
            save();
            cachedTo = Math.min(uids.size(), k + SUMMARY_BATCH);
            cached = s.backend.summaries(sel.id, uids.subList(k, cachedTo));
        }

        /** The cached summary in the current format, or null (parse the message). */
        Summary get(long uid) {
            Summary summary = cached.get(uid);
            return MessageSummary.usable(summary) ? summary : null;
        }

        void parsed(long uid, Summary summary) {
            fresh.put(uid, summary);
        }

        void save() {
            if (fresh.isEmpty()) return;
            s.backend.saveSummaries(sel.id, fresh);
            fresh.clear();
        }
    }

    // ---- step 3, flags only: from the selected view's arrays

    private static final byte[] STAR = ascii("* ");
    private static final byte[] FETCH_OPEN = ascii(" FETCH (");
    private static final byte[] SP = ascii(" ");
    private static final byte[] UID = ascii("UID ");
    private static final byte[] SP_UID = ascii(" UID ");
    private static final byte[] FLAGS = ascii("FLAGS ");
    private static final byte[] SP_FLAGS = ascii(" FLAGS ");
    private static final byte[] MODSEQ = ascii("MODSEQ (");
    private static final byte[] SP_MODSEQ = ascii(" MODSEQ (");
    private static final byte[] CLOSE = ascii(")");
    private static final byte[] CLOSE_CRLF = ascii(")\r\n");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * FETCH of only UID, FLAGS and MODSEQ, written from the selected view's arrays after the
     * narrow scan (docs/adr/0018), with no object per message. Nothing here sets \Seen, so no
     * flag changes; the same answers as {@link #respond}.
     */
    private void respondFromView(int[] seqs) {
        sel.loadFlags();
        vanished();
        List<FetchItem> items = q.items();
        int[] kinds = new int[items.size()]; // 0 UID, 1 FLAGS, 2 MODSEQ
        for (int j = 0; j < kinds.length; j++)
            kinds[j] = items.get(j) instanceof FetchItem.Uid ? 0 : items.get(j) instanceof FetchItem.Flags ? 1 : 2;
        long since = q.changedSince().orElse(Long.MAX_VALUE);
        for (int seq : seqs) {
            if (o.size() > MAX_RESPONSE) {
                truncated = true;
                break;
            }
            int i = seq - 1;
            int k = sel.flagSetAt(i);
            if (k < 0) { // expunged by another session before this session read its details
                failed = true;
                continue;
            }
            if (q.changedSince().isPresent() && sel.modseqAt(i) <= since) continue;
            o.raw(STAR).number(seq).raw(FETCH_OPEN);
            for (int j = 0; j < kinds.length; j++) {
                switch (kinds[j]) {
                    case 0 -> o.raw(j == 0 ? UID : SP_UID).number(sel.uidAt(seq));
                    case 1 -> o.raw(j == 0 ? FLAGS : SP_FLAGS).raw(sel.flagText(k));
                    default -> o.raw(j == 0 ? MODSEQ : SP_MODSEQ).number(sel.modseqAt(i)).raw(CLOSE);
                }
            }
            o.raw(CLOSE_CRLF);
        }
    }

    // ---- step 4: the updates and the tagged result

    private ImapAction finish() {
        s.updates(o, q.uid());
        if (truncated) return s.send(o, tag, "NO", "[LIMIT] Response too large; fetch fewer messages at once");
        if (unknownCte) return s.send(o, tag, "NO", "[UNKNOWN-CTE] Unknown Content-Transfer-Encoding; use BODY[]");
        if (failed) return s.send(o, tag, "NO", "Some messages could not be fetched");
        return s.send(o, tag, (q.uid() ? "UID " : "") + "FETCH completed");
    }
}
