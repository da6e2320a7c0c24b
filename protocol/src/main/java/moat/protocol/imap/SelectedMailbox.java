package moat.protocol.imap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import moat.protocol.imap.ImapBackend.MessageInfo;
import moat.protocol.imap.ImapBackend.Snapshot;

/**
 * The session's view of its selected mailbox: the message sequence numbers it has announced
 * and the flags it has reported. {@link #refresh} brings the view up to date and writes the
 * untagged responses that tell the client so (RFC 9051 section 7.5 EXISTS / EXPUNGE, 7.5.2
 * FETCH FLAGS). EXPUNGE is only announced when the command allows it (RFC 9051 section 7.5.1:
 * not during FETCH, STORE or SEARCH); until then nothing is renumbered.
 */
final class SelectedMailbox {
    final long id;
    final String name;
    final boolean readOnly;
    final long uidValidity;
    private final ImapSession session;
    private final List<Long> uids = new ArrayList<>();
    private final Map<Long, MessageInfo> byUid = new HashMap<>();
    long highestModseq;
    long uidNext;
    private final AtomicBoolean changed = new AtomicBoolean();
    private final AutoCloseable watch;

    SelectedMailbox(ImapSession session, Snapshot s, boolean readOnly) {
        this.session = session;
        this.id = s.mailbox().id();
        this.name = s.mailbox().name();
        this.readOnly = readOnly;
        this.uidValidity = s.mailbox().uidValidity();
        load(s);
        this.watch = session.backend.watch(id, () -> {
            changed.set(true);
            session.wakeup().run();
        });
    }

    private void load(Snapshot s) {
        uids.clear();
        byUid.clear();
        for (MessageInfo m : s.messages()) {
            uids.add(m.uid());
            byUid.put(m.uid(), m);
        }
        highestModseq = s.mailbox().highestModseq();
        uidNext = s.mailbox().uidNext();
    }

    boolean consumeChanged() {
        return changed.getAndSet(false);
    }

    int size() {
        return uids.size();
    }

    long uidAt(int seq) {
        return uids.get(seq - 1);
    }

    MessageInfo info(long uid) {
        return byUid.get(uid);
    }

    /** The UIDs in sequence order (a read-only view). */
    List<Long> uids() {
        return java.util.Collections.unmodifiableList(uids);
    }

    long maxUid() {
        return uids.isEmpty() ? 0 : uids.getLast();
    }

    /** Sequence number of a UID, or 0. */
    int seqOf(long uid) {
        int i = java.util.Collections.binarySearch(uids, uid);
        return i < 0 ? 0 : i + 1;
    }

    /** Our own STORE changed flags: keep the view in step so refresh does not repeat them. */
    void updated(MessageInfo m) {
        if (byUid.containsKey(m.uid())) byUid.put(m.uid(), m);
    }

    /**
     * Our own EXPUNGE: write the responses (highest sequence first, so none is renumbered); with
     * QRESYNC enabled one VANISHED response with the UIDs instead (RFC 7162 section 3.2.10).
     */
    void expunged(List<Long> gone, Out o) {
        if (session.qresync) {
            List<Long> known = new ArrayList<>();
            for (long u : gone) {
                int s = seqOf(u);
                if (s > 0) known.add(u);
            }
            if (known.isEmpty()) return;
            for (long u : known) {
                uids.remove(seqOf(u) - 1);
                byUid.remove(u);
            }
            java.util.Collections.sort(known);
            o.untagged("VANISHED " + MessageCommands.compress(known));
            return;
        }
        List<Integer> seqs = new ArrayList<>();
        for (long u : gone) {
            int s = seqOf(u);
            if (s > 0) seqs.add(s);
        }
        seqs.sort(java.util.Comparator.reverseOrder());
        for (int s : seqs) {
            long u = uids.remove(s - 1);
            byUid.remove(u);
            o.untagged(s + " EXPUNGE");
        }
    }

    void refresh(Out o, boolean allowExpunge) {
        OptionalLong hm = session.backend.highestModseq(id);
        if (hm.isEmpty() || hm.getAsLong() == highestModseq) return;
        if (refreshChanged(o)) return;
        var snap = session.backend.snapshot(id);
        if (snap.isEmpty()) return;
        Map<Long, MessageInfo> now = new HashMap<>();
        for (MessageInfo m : snap.get().messages()) now.put(m.uid(), m);
        List<Long> gone = uids.stream().filter(u -> !now.containsKey(u)).toList();
        if (!gone.isEmpty() && !allowExpunge) return; // deferred: numbering must not change now
        expunged(gone, o);
        for (int i = 0; i < uids.size(); i++) {
            long u = uids.get(i);
            MessageInfo old = byUid.get(u);
            MessageInfo cur = now.get(u);
            if (!cur.flags().equals(old.flags())) {
                o.untagged((i + 1) + " FETCH (UID " + u + " FLAGS " + Out.flags(cur.flags())
                        + (session.condstore ? " MODSEQ (" + cur.modseq() + ")" : "") + ")");
            }
            byUid.put(u, cur);
        }
        long max = maxUid();
        int before = uids.size();
        for (MessageInfo m : snap.get().messages()) {
            if (m.uid() > max) {
                uids.add(m.uid());
                byUid.put(m.uid(), m);
            }
        }
        if (uids.size() != before) o.untagged(uids.size() + " EXISTS");
        highestModseq = snap.get().mailbox().highestModseq();
        uidNext = snap.get().mailbox().uidNext();
    }

    /**
     * The UIDs of {@code known} (up to UIDNEXT-1) that are not in the mailbox, as a UID set for
     * VANISHED (EARLIER), or "" when none. UIDs are assigned one after the other, so each gap is
     * an expunged message; with no expunge history this reports every expunge in the set, not
     * only those since the client's modseq, which RFC 7162 accepts for servers that "don't store
     * extra state" (docs/adr/0010). Linear in the ranges and the UIDs inside them.
     */
    String missing(SequenceSet known) {
        // '*' reaches UIDNEXT-1 here, not the largest UID present: expunged messages at the end
        // of the mailbox are what a client asking "1:*" most needs to hear about
        long star = uidNext - 1;
        List<long[]> ranges = new ArrayList<>();
        for (SequenceSet.Range r : known.ranges()) {
            long lo = r.lo(star);
            long hi = Math.min(r.hi(star), uidNext - 1);
            if (lo <= hi) ranges.add(new long[] {lo, hi});
        }
        ranges.sort(java.util.Comparator.comparingLong(x -> x[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] r : ranges) {
            if (!merged.isEmpty() && r[0] <= merged.getLast()[1] + 1) merged.getLast()[1] = Math.max(merged.getLast()[1], r[1]);
            else merged.add(r);
        }
        StringBuilder sb = new StringBuilder();
        for (long[] r : merged) {
            long next = r[0]; // first UID of the range not yet accounted for
            int i = java.util.Collections.binarySearch(uids, r[0]);
            if (i < 0) i = -i - 1;
            for (; i < uids.size() && uids.get(i) <= r[1]; i++) {
                long u = uids.get(i);
                if (u > next) gap(sb, next, u - 1);
                next = u + 1;
            }
            if (next <= r[1]) gap(sb, next, r[1]);
        }
        return sb.toString();
    }

    private static void gap(StringBuilder sb, long from, long to) {
        if (!sb.isEmpty()) sb.append(',');
        sb.append(from);
        if (to > from) sb.append(':').append(to);
    }

    /**
     * The cheap path of {@link #refresh}: read only the rows changed since our modseq (an index
     * range), and apply them when the message count shows nothing was expunged; false when the
     * full snapshot is needed (an expunge, or a view that does not match).
     */
    private boolean refreshChanged(Out o) {
        var changes = session.backend.changesSince(id, highestModseq);
        if (changes.isEmpty()) return false;
        long max = maxUid();
        List<MessageInfo> added = new ArrayList<>();
        for (MessageInfo m : changes.get().messages()) {
            if (m.uid() > max) added.add(m);
            else if (!byUid.containsKey(m.uid())) return false; // gone from our view meanwhile
        }
        if (changes.get().mailbox().messages() != uids.size() + added.size()) return false; // something was expunged
        for (MessageInfo cur : changes.get().messages()) {
            if (cur.uid() > max) continue;
            MessageInfo old = byUid.get(cur.uid());
            if (!cur.flags().equals(old.flags())) {
                o.untagged(seqOf(cur.uid()) + " FETCH (UID " + cur.uid() + " FLAGS " + Out.flags(cur.flags())
                        + (session.condstore ? " MODSEQ (" + cur.modseq() + ")" : "") + ")");
            }
            byUid.put(cur.uid(), cur);
        }
        for (MessageInfo m : added) {
            uids.add(m.uid());
            byUid.put(m.uid(), m);
        }
        if (!added.isEmpty()) o.untagged(uids.size() + " EXISTS");
        highestModseq = changes.get().mailbox().highestModseq();
        uidNext = changes.get().mailbox().uidNext();
        return true;
    }

    void close() {
        try {
            watch.close();
        } catch (Exception ignored) {
            // unregistering a listener cannot meaningfully fail
        }
    }
}
