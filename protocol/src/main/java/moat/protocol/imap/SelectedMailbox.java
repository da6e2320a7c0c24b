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

    /** Our own EXPUNGE: write the responses (highest sequence first, so none is renumbered). */
    void expunged(List<Long> gone, Out o) {
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

    void close() {
        try {
            watch.close();
        } catch (Exception ignored) {
            // unregistering a listener cannot meaningfully fail
        }
    }
}
