package moat.protocol.imap;

import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import moat.protocol.imap.ImapBackend.MessageInfo;
import moat.protocol.imap.ImapBackend.Selection;

/**
 * The session's view of its selected mailbox: the message sequence numbers it has announced
 * and the flags it has reported. {@link #refresh} brings the view up to date and writes the
 * untagged responses that tell the client so (RFC 9051 section 7.5 EXISTS / EXPUNGE, 7.5.2
 * FETCH FLAGS). EXPUNGE is only announced when the command allows it (RFC 9051 section 7.5.1:
 * not during FETCH, STORE or SEARCH); until then nothing is renumbered.
 *
 * <p>Compact by design (docs/adr/0018): SELECT reads the mailbox counters and the UIDs only
 * (a {@code long[]}); the per-message details (flags, modseq, size, INTERNALDATE) are parallel
 * arrays loaded when a command first needs them (flags and modseq alone first when that is all
 * it needs, size and INTERNALDATE by a second scan), and flag sets are interned (a
 * mailbox has few distinct ones), so a message costs about 36 bytes of heap, not a record,
 * a set, an Instant and boxed map entries.
 */
final class SelectedMailbox {
    final long id;
    final String name;
    final boolean readOnly;
    final long uidValidity;
    private final ImapSession session;
    /** UIDs in sequence order: {@code uids[0..n)}; the details arrays are aligned with it. */
    private long[] uids;
    private int n;
    /**
     * Details, null until loaded, in two steps (docs/adr/0018): flags and modseq first (what a
     * flag sync needs), size and INTERNALDATE when a command needs them. flagIdx -1: the
     * message was gone when the details were read.
     */
    private int[] flagIdx;
    private long[] modseqs;
    private long[] sizes;
    private long[] dates;
    private final List<Set<String>> flagSets = new ArrayList<>();
    /** The FETCH form of each interned flag set ({@link Out#flags}), made when first written. */
    private final List<byte[]> flagTexts = new ArrayList<>();
    private final Map<String, Integer> flagsByStored = new HashMap<>();
    private final Map<Set<String>, Integer> flagsBySet = new HashMap<>();
    /** Our own flag changes while the details are not loaded (uid -> modseq), so refresh does not repeat them. */
    private final Map<Long, Long> ownChanges = new HashMap<>();
    long highestModseq;
    long uidNext;
    private final AtomicBoolean changed = new AtomicBoolean();
    private final AutoCloseable watch;

    SelectedMailbox(ImapSession session, Selection s, boolean readOnly) {
        this.session = session;
        this.id = s.mailbox().id();
        this.name = s.mailbox().name();
        this.readOnly = readOnly;
        this.uidValidity = s.mailbox().uidValidity();
        this.uids = s.uids();
        this.n = uids.length;
        this.highestModseq = s.mailbox().highestModseq();
        this.uidNext = s.mailbox().uidNext();
        this.watch = session.backend.watch(id, () -> {
            changed.set(true);
            session.wakeup().run();
        });
    }

    boolean consumeChanged() {
        return changed.getAndSet(false);
    }

    int size() {
        return n;
    }

    long uidAt(int seq) {
        if (seq < 1 || seq > n) throw new IndexOutOfBoundsException(seq);
        return uids[seq - 1];
    }

    /** The message's details (loaded on first use), or null when it was gone at that load. */
    MessageInfo info(long uid) {
        loadDetails();
        int i = index(uid);
        if (i < 0 || flagIdx[i] < 0) return null;
        return new MessageInfo(uid, flagSets.get(flagIdx[i]), modseqs[i], sizes[i], Instant.ofEpochMilli(dates[i]));
    }

    /** The UIDs in sequence order (a read-only view). */
    List<Long> uids() {
        return new AbstractList<>() {
            @Override
            public Long get(int i) {
                if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i);
                return uids[i];
            }

            @Override
            public int size() {
                return n;
            }
        };
    }

    long maxUid() {
        return n == 0 ? 0 : uids[n - 1];
    }

    /** Sequence number of a UID, or 0. */
    int seqOf(long uid) {
        return index(uid) + 1;
    }

    private int index(long uid) {
        int i = Arrays.binarySearch(uids, 0, n, uid);
        return i < 0 ? -1 : i;
    }

    /** Flags and modseq are loaded (size and INTERNALDATE may not be: {@link #sizes}). */
    private boolean loaded() {
        return flagIdx != null;
    }

    /**
     * Flags and modseq only (one narrow scan), for a command that needs nothing else; the
     * rest, when a later command needs it, is read by {@link #loadDetails}.
     */
    void loadFlags() {
        if (loaded()) return;
        int cap = Math.max(uids.length, 1);
        int[] f = new int[cap];
        Arrays.fill(f, -1);
        long[] m = new long[cap];
        int[] next = {0}; // rows come in UID order: the next row is most likely the next of our view
        session.backend.scanFlags(id, (uid, flags, modseq, size, date) -> {
            int i = next[0] < n && uids[next[0]] == uid ? next[0] : index(uid);
            if (i < 0) return; // arrived after our view: refresh announces it
            next[0] = i + 1;
            f[i] = intern(flags);
            m[i] = modseq;
        });
        flagIdx = f;
        modseqs = m;
        ownChanges.clear(); // the rows read include our own changes
    }

    /** The flag set index of the message at 0-based position {@code i} (loaded), -1 when it was gone. */
    int flagSetAt(int i) {
        return flagIdx[i];
    }

    long modseqAt(int i) {
        return modseqs[i];
    }

    /** The parenthesised FETCH form of flag set {@code k}, made once per set. */
    byte[] flagText(int k) {
        while (flagTexts.size() <= k) flagTexts.add(null);
        byte[] t = flagTexts.get(k);
        if (t == null) {
            t = Out.flags(flagSets.get(k)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            flagTexts.set(k, t);
        }
        return t;
    }

    /** One scan of the mailbox's rows into the details arrays; rows not in our view are skipped. */
    private void loadDetails() {
        if (sizes != null) return;
        if (loaded()) {
            loadSizesAndDates();
            return;
        }
        int cap = Math.max(uids.length, 1);
        int[] f = new int[cap];
        Arrays.fill(f, -1);
        long[] m = new long[cap];
        long[] z = new long[cap];
        long[] d = new long[cap];
        session.backend.scan(id, (uid, flags, modseq, size, date) -> {
            int i = index(uid);
            if (i < 0) return; // arrived after our view: refresh announces it
            f[i] = intern(flags);
            m[i] = modseq;
            z[i] = size;
            d[i] = date;
        });
        flagIdx = f;
        modseqs = m;
        sizes = z;
        dates = d;
        ownChanges.clear(); // the rows read include our own changes
    }

    /**
     * Size and INTERNALDATE after {@link #loadFlags}: they never change, so only they are read
     * (the flags the client was told stay as they are; refresh reports changes). A message of
     * our view without a row now was expunged meanwhile: it is gone, as in the first scan.
     */
    private void loadSizesAndDates() {
        int cap = uids.length;
        long[] z = new long[cap];
        long[] d = new long[cap];
        boolean[] seen = new boolean[cap];
        session.backend.scan(id, (uid, flags, modseq, size, date) -> {
            int i = index(uid);
            if (i < 0) return;
            z[i] = size;
            d[i] = date;
            seen[i] = true;
        });
        for (int i = 0; i < n; i++) if (!seen[i]) flagIdx[i] = -1;
        sizes = z;
        dates = d;
    }

    /** The last stored form interned and its index: a scan hands the same String to neighbours with equal flags. */
    private String lastStored;
    private int lastStoredIdx;

    private int intern(String stored) {
        if (stored == lastStored) return lastStoredIdx;
        Integer i = flagsByStored.get(stored);
        int k;
        if (i != null) {
            k = i;
        } else {
            k = intern(Set.copyOf(stored.isEmpty() ? List.of() : Arrays.asList(stored.split(" "))));
            flagsByStored.put(stored, k);
        }
        lastStored = stored;
        lastStoredIdx = k;
        return k;
    }

    private int intern(Set<String> flags) {
        Integer i = flagsBySet.get(flags);
        if (i != null) return i;
        Set<String> copy = Set.copyOf(flags);
        flagSets.add(copy);
        flagsBySet.put(copy, flagSets.size() - 1);
        return flagSets.size() - 1;
    }

    /** Our own STORE changed flags: keep the view in step so refresh does not repeat them. */
    void updated(MessageInfo m) {
        int i = index(m.uid());
        if (i < 0) return;
        if (!loaded()) {
            ownChanges.put(m.uid(), m.modseq());
            return;
        }
        if (flagIdx[i] < 0) return;
        flagIdx[i] = intern(m.flags());
        modseqs[i] = m.modseq();
    }

    /** Appends a message above maxUid (details only when loaded; {@code m} null: not loaded). */
    private void add(long uid, MessageInfo m) {
        if (n == uids.length) grow();
        uids[n] = uid;
        if (loaded()) {
            flagIdx[n] = intern(m.flags());
            modseqs[n] = m.modseq();
        }
        if (sizes != null) {
            sizes[n] = m.size();
            dates[n] = m.internalDate().toEpochMilli();
        }
        n++;
    }

    private void grow() {
        int cap = Math.max(16, uids.length + (uids.length >> 1));
        uids = Arrays.copyOf(uids, cap);
        if (loaded()) {
            flagIdx = Arrays.copyOf(flagIdx, cap);
            modseqs = Arrays.copyOf(modseqs, cap);
        }
        if (sizes != null) {
            sizes = Arrays.copyOf(sizes, cap);
            dates = Arrays.copyOf(dates, cap);
        }
    }

    /** Removes the messages at the given indexes (any order) in one pass over the arrays. */
    private void removeAt(List<Integer> idx) {
        if (idx.isEmpty()) return;
        boolean[] drop = new boolean[n];
        for (int i : idx) drop[i] = true;
        int w = 0;
        for (int r = 0; r < n; r++) {
            if (drop[r]) continue;
            uids[w] = uids[r];
            if (loaded()) {
                flagIdx[w] = flagIdx[r];
                modseqs[w] = modseqs[r];
            }
            if (sizes != null) {
                sizes[w] = sizes[r];
                dates[w] = dates[r];
            }
            w++;
        }
        n = w;
    }

    /**
     * Our own EXPUNGE: write the responses (highest sequence first, so none is renumbered); with
     * QRESYNC enabled one VANISHED response with the UIDs instead (RFC 7162 section 3.2.10).
     */
    void expunged(List<Long> gone, Out o) {
        List<Integer> idx = new ArrayList<>();
        List<Long> known = new ArrayList<>();
        Set<Long> once = new java.util.HashSet<>();
        for (long u : gone) {
            int i = index(u);
            if (i >= 0 && once.add(u)) {
                idx.add(i);
                known.add(u);
            }
            ownChanges.remove(u);
        }
        if (idx.isEmpty()) return;
        if (session.qresync) {
            java.util.Collections.sort(known);
            o.untagged("VANISHED " + MessageCommands.compress(known));
        } else {
            List<Integer> seqs = new ArrayList<>(idx);
            seqs.sort(java.util.Comparator.reverseOrder());
            for (int i : seqs) o.untagged((i + 1) + " EXPUNGE");
        }
        removeAt(idx);
    }

    void refresh(Out o, boolean allowExpunge) {
        OptionalLong hm = session.backend.highestModseq(id);
        if (hm.isEmpty() || hm.getAsLong() == highestModseq) return;
        if (refreshChanged(o)) return;
        // something was expunged: the current UIDs (one narrow read), then the changed rows
        var map = session.backend.select(id);
        if (map.isEmpty()) return;
        long[] now = map.get().uids();
        List<Long> gone = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < n; i++) {
            long u = uids[i];
            while (j < now.length && now[j] < u) j++;
            if (j >= now.length || now[j] != u) gone.add(u);
        }
        if (!gone.isEmpty() && !allowExpunge) return; // deferred: numbering must not change now
        expunged(gone, o);
        // read after the UID map: rows of messages added since our view are all here (their
        // modseq is above ours), unless expunged in between
        var changes = session.backend.changesSince(id, highestModseq);
        Map<Long, MessageInfo> rows = new HashMap<>();
        if (changes.isPresent()) {
            for (MessageInfo m : changes.get().messages()) {
                rows.put(m.uid(), m);
                flagsChanged(o, m);
            }
        }
        long max = maxUid();
        int before = n;
        for (long u : now) {
            if (u <= max) continue;
            MessageInfo m = rows.get(u);
            if (loaded() && m == null) continue; // expunged right after the UID map was read
            add(u, m);
        }
        if (n != before) o.untagged(n + " EXISTS");
        ownChanges.clear();
        highestModseq = map.get().mailbox().highestModseq();
        uidNext = map.get().mailbox().uidNext();
    }

    /** A changed row of a message in our view: FETCH FLAGS when the client has not seen those flags. */
    private void flagsChanged(Out o, MessageInfo cur) {
        int i = index(cur.uid());
        if (i < 0) return;
        if (loaded()) {
            if (flagIdx[i] < 0) return;
            int k = intern(cur.flags());
            modseqs[i] = cur.modseq();
            if (k == flagIdx[i]) return;
            flagIdx[i] = k;
        } else {
            Long own = ownChanges.get(cur.uid());
            if (own != null && own == cur.modseq()) return;
        }
        o.untagged((i + 1) + " FETCH (UID " + cur.uid() + " FLAGS " + Out.flags(cur.flags())
                + (session.condstore ? " MODSEQ (" + cur.modseq() + ")" : "") + ")");
    }

    /**
     * The messages of our view changed since {@code modseq} (RFC 7162 QRESYNC), in UID order,
     * read from the modseq index rather than from every row.
     */
    List<MessageInfo> changedSince(long modseq) {
        var changes = session.backend.changesSince(id, modseq);
        if (changes.isEmpty()) return List.of();
        return changes.get().messages().stream().filter(m -> index(m.uid()) >= 0).toList();
    }

    /**
     * The UIDs of {@code known} (up to UIDNEXT-1) that are not in the mailbox, as a UID set for
     * VANISHED (EARLIER), or "" when none. UIDs are assigned one after the other, so each gap is
     * an expunged message; with no expunge history this reports every expunge in the set, not
     * only those since the client's modseq, which RFC 7162 accepts for servers that "don't store
     * extra state" (docs/adr/0016). Linear in the ranges and the UIDs inside them.
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
            int i = Arrays.binarySearch(uids, 0, n, r[0]);
            if (i < 0) i = -i - 1;
            for (; i < n && uids[i] <= r[1]; i++) {
                long u = uids[i];
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
     * UID map must be read again (an expunge, or a view that does not match).
     */
    private boolean refreshChanged(Out o) {
        var changes = session.backend.changesSince(id, highestModseq);
        if (changes.isEmpty()) return false;
        long max = maxUid();
        List<MessageInfo> added = new ArrayList<>();
        for (MessageInfo m : changes.get().messages()) {
            if (m.uid() > max) added.add(m);
            else if (index(m.uid()) < 0) return false; // gone from our view meanwhile
        }
        if (changes.get().mailbox().messages() != n + added.size()) return false; // something was expunged
        for (MessageInfo cur : changes.get().messages()) {
            if (cur.uid() <= max) flagsChanged(o, cur);
        }
        for (MessageInfo m : added) add(m.uid(), m);
        if (!added.isEmpty()) o.untagged(n + " EXISTS");
        ownChanges.clear();
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
