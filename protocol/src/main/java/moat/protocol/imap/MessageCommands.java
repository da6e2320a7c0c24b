package moat.protocol.imap;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import moat.protocol.imap.ImapBackend.FlagMode;
import moat.protocol.imap.ImapBackend.MailboxInfo;
import moat.protocol.imap.ImapBackend.MessageInfo;

/**
 * Selected-state commands (RFC 9051 section 6.4) other than FETCH ({@link FetchCommand})
 * and SEARCH ({@link SearchCommand}): STORE, COPY and MOVE (RFC 6851) with RFC 4315 COPYUID,
 * EXPUNGE and UID EXPUNGE, CLOSE, UNSELECT (RFC 3691); the RFC 7162 CONDSTORE modifier
 * UNCHANGEDSINCE. Also how a sequence set resolves against the selected mailbox, which they
 * all share.
 *
 * <p>Non-UID STORE never announces EXPUNGE (RFC 9051 section 7.5.1), since the client's
 * sequence numbers must stay valid while it pipelines commands.
 */
final class MessageCommands {
    private final ImapSession s;

    MessageCommands(ImapSession s) {
        this.s = s;
    }

    /** CLOSE (expunging first unless read-only, RFC 9051 section 6.4.1) and UNSELECT (RFC 3691). */
    ImapAction close(ImapRequest r) throws SyntaxError {
        SelectedMailbox sel = s.selected;
        r.args().end();
        if (r.command() == ImapCommand.CLOSE && !sel.readOnly) s.backend.expunge(sel.id, Optional.empty());
        s.closeSelected();
        s.state = ImapSession.State.AUTHENTICATED;
        return s.send(new Out(), r.tag(), r.verb() + " completed");
    }

    /** The UIDs a set names, in sequence order; empty Optional when a sequence number is out of range. */
    static Optional<List<Long>> resolve(SequenceSet set, boolean uid, SelectedMailbox sel) {
        return resolveSeqs(set, uid, sel).map(seqs -> {
            List<Long> out = new ArrayList<>(seqs.length);
            for (int q : seqs) out.add(sel.uidAt(q));
            return out;
        });
    }

    /** The sequence numbers a set names, ascending; empty Optional when a sequence number is out of range. */
    static Optional<int[]> resolveSeqs(SequenceSet set, boolean uid, SelectedMailbox sel) {
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

    ImapAction store(ImapRequest r) throws SyntaxError {
        String tag = r.tag();
        boolean uid = r.uid();
        Args a = r.args();
        SelectedMailbox sel = s.selected;
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
        s.updates(o, uid);
        return s.send(o, tag, modified + (uid ? "UID " : "") + "STORE completed");
    }

    /** COPY, or MOVE (RFC 6851) when {@code move}. */
    ImapAction copy(ImapRequest req, boolean move) throws SyntaxError {
        String tag = req.tag();
        boolean uid = req.uid();
        Args a = req.args();
        SelectedMailbox sel = s.selected;
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
            s.updates(o, true);
            return s.send(o, tag, verb + " completed");
        }
        s.updates(o, uid);
        return s.send(o, tag, copyuid + verb + " completed");
    }

    /** EXPUNGE, and UID EXPUNGE (RFC 4315 section 2.1) of the given UIDs only. */
    ImapAction expunge(ImapRequest r) throws SyntaxError {
        String tag = r.tag();
        boolean uid = r.uid();
        Args a = r.args();
        SelectedMailbox sel = s.selected;
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
        s.updates(o, true);
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
