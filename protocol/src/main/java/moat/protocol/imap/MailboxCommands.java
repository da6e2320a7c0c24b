package moat.protocol.imap;

import java.io.IOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import moat.protocol.imap.ImapBackend.Change;
import moat.protocol.imap.ImapBackend.MailboxInfo;
import moat.protocol.imap.ImapBackend.MessageInfo;

/**
 * Authenticated-state commands on mailboxes (RFC 9051 sections 6.3.1-6.3.12): SELECT, EXAMINE,
 * CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST (with RFC 6154 SPECIAL-USE attributes),
 * LSUB, NAMESPACE, STATUS, APPEND (RFC 4315 APPENDUID, RFC 7889 APPENDLIMIT).
 */
final class MailboxCommands {
    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ROOT);
    static final Set<String> SYSTEM_FLAGS = Set.of("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft");
    private final ImapSession s;

    MailboxCommands(ImapSession s) {
        this.s = s;
    }

    ImapAction namespace(ImapRequest r) throws SyntaxError {
        r.args().end();
        return s.send(new Out().untagged("NAMESPACE ((\"\" \"/\")) NIL NIL"), r.tag(), "NAMESPACE completed");
    }

    /** A mailbox name argument, decoded; empty (and the caller answers NO) when invalid. */
    private Optional<String> name(Args a) throws SyntaxError {
        return MailboxName.fromWire(a.astring(), s.utf8);
    }

    private String wire(String name) {
        return MailboxName.toWire(name, s.utf8);
    }

    private ImapAction invalidName(String tag) {
        return s.no(tag, "[CANNOT] Invalid mailbox name");
    }

    /** SELECT, or EXAMINE when {@code readOnly}. */
    ImapAction select(ImapRequest r, boolean readOnly) throws SyntaxError {
        Args a = r.args();
        String tag = r.tag();
        a.sp();
        Optional<String> name = name(a);
        Optional<long[]> resync = Optional.empty(); // uidvalidity, modseq
        SequenceSet known = null;
        if (!a.atEnd()) { // (CONDSTORE) and (QRESYNC (...)) select parameters, RFC 7162 sections 3.1.8, 3.2.5
            a.sp();
            a.open();
            while (!a.peekIs(')')) {
                String p = a.atom().toUpperCase(Locale.ROOT);
                if (p.equals("CONDSTORE")) {
                    s.condstore = true;
                } else if (p.equals("QRESYNC")) {
                    if (!s.qresync) throw new SyntaxError("QRESYNC parameter without ENABLE QRESYNC");
                    a.sp();
                    a.open();
                    long validity = a.number();
                    a.sp();
                    long modseq = a.number();
                    if (validity == 0) throw new SyntaxError("Invalid UIDVALIDITY");
                    if (a.skip(' ')) {
                        if (!a.peekIs('(')) {
                            known = SequenceSet.parse(a.word());
                            a.skip(' ');
                        }
                        if (a.peekIs('(')) { // seq-match-data: a hint a server may ignore (section 3.2.5.2)
                            a.open();
                            SequenceSet.parse(a.word());
                            a.sp();
                            SequenceSet.parse(a.word());
                            a.close();
                        }
                    }
                    a.close();
                    resync = Optional.of(new long[] {validity, modseq});
                } else {
                    throw new SyntaxError("Unknown SELECT parameter");
                }
                a.skip(' ');
            }
            a.close();
        }
        a.end();
        // RFC 9051 section 6.3.2: a failed SELECT leaves no mailbox selected; RFC 7162 section
        // 3.2.11 (and IMAP4rev2): the end of the previous selection is marked by [CLOSED].
        boolean wasSelected = s.selected != null;
        s.closeSelected();
        s.state = ImapSession.State.AUTHENTICATED;
        if (name.isEmpty()) return invalidName(tag);
        Optional<MailboxInfo> mb = s.backend.find(s.user, name.get());
        // the counters and the UIDs only: message details are read when a command needs them
        var selection = mb.flatMap(m -> s.backend.select(m.id()));
        if (selection.isEmpty()) return s.no(tag, "[NONEXISTENT] No such mailbox");
        SelectedMailbox sel = new SelectedMailbox(s, selection.get(), readOnly);
        s.selected = sel;
        s.state = ImapSession.State.SELECTED;
        Out o = new Out();
        if (wasSelected && (s.qresync || s.rev2)) o.untagged("OK [CLOSED] Previous mailbox closed");
        o.untagged(sel.size() + " EXISTS");
        if (!s.rev2) o.untagged("0 RECENT");
        o.untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
        o.untagged("OK [PERMANENTFLAGS " + (readOnly ? "()" : "(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)")
                + "] Flags permitted");
        o.untagged("OK [UIDVALIDITY " + sel.uidValidity + "] UIDs valid");
        o.untagged("OK [UIDNEXT " + sel.uidNext + "] Predicted next UID");
        o.untagged("OK [HIGHESTMODSEQ " + sel.highestModseq + "] Highest");
        o.text("* LIST () \"/\" ").string(wire(sel.name)).crlf();
        if (resync.isPresent() && resync.get()[0] == sel.uidValidity) {
            // RFC 7162 section 3.2.5.1: what vanished since, then what changed since the client's modseq
            String gone = sel.missing(known != null ? known : SequenceSet.parse("1:*"));
            if (!gone.isEmpty()) o.untagged("VANISHED (EARLIER) " + gone);
            for (MessageInfo m : sel.changedSince(resync.get()[1]))
                o.untagged(sel.seqOf(m.uid()) + " FETCH (UID " + m.uid() + " FLAGS " + Out.flags(m.flags())
                        + " MODSEQ (" + m.modseq() + "))");
        }
        return s.send(o, tag, (readOnly ? "[READ-ONLY] " : "[READ-WRITE] ") + (readOnly ? "EXAMINE" : "SELECT")
                + " completed");
    }

    /** CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE: one mailbox name, one change. */
    ImapAction change(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        String tag = r.tag();
        String verb = r.verb();
        a.sp();
        Optional<String> name = name(a);
        a.end();
        if (name.isEmpty()) return invalidName(tag);
        Change c = switch (r.command()) {
            case CREATE -> s.backend.create(s.user, name.get());
            case DELETE -> {
                if (s.selected != null && s.selected.name.equals(name.get())) {
                    yield Change.REFUSED;
                }
                yield s.backend.delete(s.user, name.get());
            }
            case SUBSCRIBE -> s.backend.subscribe(s.user, name.get(), true);
            case UNSUBSCRIBE -> s.backend.subscribe(s.user, name.get(), false);
            default -> throw new IllegalArgumentException("not a mailbox change: " + verb);
        };
        return outcome(tag, verb, c);
    }

    private ImapAction outcome(String tag, String verb, Change c) {
        return switch (c) {
            case DONE -> s.send(new Out(), tag, verb + " completed");
            case NOT_FOUND -> s.no(tag, "[NONEXISTENT] No such mailbox");
            case ALREADY_EXISTS -> s.no(tag, "[ALREADYEXISTS] Mailbox already exists");
            case REFUSED -> s.no(tag, "[CANNOT] " + verb + " refused for this mailbox");
        };
    }

    ImapAction rename(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        String tag = r.tag();
        a.sp();
        Optional<String> from = name(a);
        a.sp();
        Optional<String> to = name(a);
        a.end();
        if (from.isEmpty() || to.isEmpty()) return invalidName(tag);
        return outcome(tag, "RENAME", s.backend.rename(s.user, from.get(), to.get()));
    }

    /**
     * LIST with RFC 9051 section 6.3.9 extended syntax (RFC 5258): selection options SUBSCRIBED,
     * SPECIAL-USE (RFC 6154), REMOTE (no remote mailboxes here) and RECURSIVEMATCH; a
     * parenthesised list of patterns; RETURN options SUBSCRIBED, CHILDREN, SPECIAL-USE and
     * STATUS (RFC 5819: a STATUS response after each selectable mailbox's LIST line).
     * CHILDREN and SPECIAL-USE attributes are always returned (RFC 5258 section 4 allows it).
     */
    ImapAction list(ImapRequest r, boolean lsub) throws SyntaxError {
        Args a = r.args();
        String tag = r.tag();
        a.sp();
        boolean subscribedOnly = lsub;
        boolean specialUseOnly = false;
        boolean recursive = false;
        if (!lsub && a.peekIs('(')) {
            a.open();
            while (!a.peekIs(')')) {
                switch (a.atom().toUpperCase(Locale.ROOT)) {
                    case "SUBSCRIBED" -> subscribedOnly = true;
                    case "SPECIAL-USE" -> specialUseOnly = true;
                    case "RECURSIVEMATCH" -> recursive = true;
                    case "REMOTE" -> { }
                    default -> throw new SyntaxError("Unknown LIST selection option");
                }
                a.skip(' ');
            }
            a.close();
            a.sp();
            // RFC 5258 section 3.1: RECURSIVEMATCH alone is a syntax error
            if (recursive && !subscribedOnly && !specialUseOnly) throw new SyntaxError("RECURSIVEMATCH needs another option");
        }
        String ref = a.astring();
        a.sp();
        List<String> patterns = new ArrayList<>();
        if (!lsub && a.peekIs('(')) {
            a.open();
            while (!a.peekIs(')')) {
                patterns.add(a.listMailbox());
                if (patterns.size() > 32) throw new SyntaxError("Too many patterns");
                a.skip(' ');
            }
            a.close();
        } else {
            patterns.add(a.listMailbox());
        }
        boolean returnSubscribed = false;
        List<String> statusItems = List.of();
        if (!lsub && !a.atEnd()) {
            a.sp();
            if (!a.atom().equalsIgnoreCase("RETURN")) throw new SyntaxError("Expected RETURN");
            a.sp();
            a.open();
            while (!a.peekIs(')')) {
                switch (a.atom().toUpperCase(Locale.ROOT)) {
                    case "SUBSCRIBED" -> returnSubscribed = true;
                    case "CHILDREN", "SPECIAL-USE" -> { } // always returned
                    case "STATUS" -> {
                        a.sp();
                        statusItems = statusItems(a);
                    }
                    default -> throw new SyntaxError("Unknown LIST return option");
                }
                a.skip(' ');
            }
            a.close();
        }
        a.end();
        String verb = lsub ? "LSUB" : "LIST";
        Out o = new Out();
        if (patterns.size() == 1 && patterns.getFirst().isEmpty()) {
            o.untagged(verb + " (\\Noselect) \"/\" \"\"");
            return s.send(o, tag, verb + " completed");
        }
        List<Pattern> globs = new ArrayList<>();
        for (String pattern : patterns) {
            Optional<String> full = s.utf8 ? Optional.of(ref + pattern) : MailboxName.decode(ref + pattern);
            if (full.isEmpty()) return invalidName(tag);
            globs.add(glob(full.get()));
        }
        List<MailboxInfo> all = s.backend.list(s.user);
        // RFC 9051 section 6.3.9: a parent that does not exist but has children is listed
        // \NonExistent \HasChildren when the pattern matches it (e.g. "%" with only "a/b")
        java.util.TreeMap<String, Optional<MailboxInfo>> names = new java.util.TreeMap<>();
        for (MailboxInfo m : all) names.put(m.name(), Optional.of(m));
        for (MailboxInfo m : all) {
            for (int i = m.name().indexOf('/'); i > 0; i = m.name().indexOf('/', i + 1))
                names.putIfAbsent(m.name().substring(0, i), Optional.empty());
        }
        for (var e : names.entrySet()) {
            if (globs.stream().noneMatch(p -> p.matcher(e.getKey()).matches())) continue;
            if (e.getValue().isEmpty()) {
                if (!subscribedOnly && !specialUseOnly)
                    o.text("* " + verb + " (\\NonExistent \\HasChildren) \"/\" ").string(wire(e.getKey())).crlf();
                continue;
            }
            MailboxInfo m = e.getValue().get();
            if ((subscribedOnly && !m.subscribed()) || (specialUseOnly && m.specialUse().isEmpty())) continue;
            Set<String> attrs = new LinkedHashSet<>();
            boolean children = all.stream().anyMatch(c -> c.name().startsWith(m.name() + "/"));
            attrs.add(children ? "\\HasChildren" : "\\HasNoChildren");
            if ((subscribedOnly || returnSubscribed) && !lsub && m.subscribed()) attrs.add("\\Subscribed");
            m.specialUse().ifPresent(attrs::add);
            o.text("* " + verb + " (" + String.join(" ", attrs) + ") \"/\" ").string(wire(m.name())).crlf();
            if (!statusItems.isEmpty())
                o.text("* STATUS ").string(wire(m.name())).text(" (" + statusValues(m, statusItems) + ")").crlf();
        }
        return s.send(o, tag, verb + " completed");
    }

    /** A parenthesised STATUS item list (RFC 9051 section 6.3.11). */
    private static List<String> statusItems(Args a) throws SyntaxError {
        a.open();
        List<String> items = new ArrayList<>();
        while (!a.peekIs(')')) {
            String it = a.atom().toUpperCase(Locale.ROOT);
            if (!Set.of("MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "RECENT", "DELETED", "SIZE", "HIGHESTMODSEQ")
                    .contains(it)) throw new SyntaxError("Unknown STATUS item " + it);
            items.add(it);
            if (items.size() > 16) throw new SyntaxError("Too many STATUS items");
            a.skip(' ');
        }
        a.close();
        return items;
    }

    private static String statusValues(MailboxInfo m, List<String> items) {
        StringBuilder sb = new StringBuilder();
        for (String it : items) {
            long v = switch (it) {
                case "MESSAGES" -> m.messages();
                case "UIDNEXT" -> m.uidNext();
                case "UIDVALIDITY" -> m.uidValidity();
                case "UNSEEN" -> m.unseen();
                case "SIZE" -> m.size();
                case "HIGHESTMODSEQ" -> m.highestModseq();
                default -> 0; // RECENT (no \Recent in Moat), DELETED
            };
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(it).append(' ').append(v);
        }
        return sb.toString();
    }

    /** RFC 9051 section 6.3.9: '*' matches anything, '%' anything but the delimiter. INBOX any case. */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        String p = pattern.length() >= 5 && pattern.substring(0, 5).equalsIgnoreCase("INBOX")
                && (pattern.length() == 5 || pattern.charAt(5) == '/') ? "INBOX" + pattern.substring(5) : pattern;
        for (char c : p.toCharArray()) {
            if (c == '*') re.append(".*");
            else if (c == '%') re.append("[^/]*");
            else re.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    ImapAction status(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        String tag = r.tag();
        a.sp();
        Optional<String> name = name(a);
        a.sp();
        List<String> items = statusItems(a);
        a.end();
        if (name.isEmpty()) return invalidName(tag);
        Optional<MailboxInfo> mb = s.backend.find(s.user, name.get());
        if (mb.isEmpty()) return s.no(tag, "[NONEXISTENT] No such mailbox");
        MailboxInfo m = mb.get();
        Out o = new Out().text("* STATUS ").string(wire(m.name())).text(" (" + statusValues(m, items) + ")").crlf();
        return s.send(o, tag, "STATUS completed");
    }

    ImapAction append(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        String tag = r.tag();
        a.sp();
        Optional<String> name = name(a);
        a.sp();
        Set<String> flags = Set.of();
        if (a.peekIs('(')) {
            flags = flagList(a);
            a.sp();
        }
        Instant date = s.backend.now();
        if (a.peekIs('"')) {
            String d = Args.utf8(a.string());
            try {
                date = ZonedDateTime.parse(d.startsWith(" ") ? "0" + d.substring(1) : d, DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                throw new SyntaxError("Invalid date-time");
            }
            a.sp();
        }
        byte[] message = a.string();
        a.end();
        if (name.isEmpty()) return invalidName(tag);
        if (message.length == 0) return s.no(tag, "Empty message");
        Optional<MailboxInfo> mb = s.backend.find(s.user, name.get());
        if (mb.isEmpty()) return s.no(tag, "[TRYCREATE] No such mailbox");
        Optional<ImapAction> over = QuotaCommands.refuseOver(s, tag, message.length);
        if (over.isPresent()) return over.get();
        ImapBackend.AppendResult appended;
        try {
            appended = s.backend.append(mb.get().id(), message, flags, date);
        } catch (IOException e) {
            return s.no(tag, "[SERVERBUG] Could not store the message");
        }
        return s.send(s.updates(new Out(), true), tag,
                "[APPENDUID " + appended.uidValidity() + " " + appended.uid() + "] APPEND completed");
    }

    /** A flag list: system flags (canonical case) and keywords; \Recent and unknown \flags are refused. */
    static Set<String> flagList(Args a) throws SyntaxError {
        Set<String> out = new LinkedHashSet<>();
        a.open();
        while (!a.peekIs(')')) {
            out.add(flag(a));
            if (out.size() > 64) throw new SyntaxError("Too many flags");
            if (!a.peekIs(')')) a.sp();
        }
        a.close();
        return out;
    }

    static String flag(Args a) throws SyntaxError {
        if (a.skip('\\')) {
            String f = a.atom();
            for (String sys : SYSTEM_FLAGS) if (sys.substring(1).equalsIgnoreCase(f)) return sys;
            throw new SyntaxError("Unknown system flag \\" + f);
        }
        return a.atom();
    }
}
