package moat.protocol.imap;

import java.util.Optional;
import moat.protocol.imap.ImapBackend.MailboxInfo;
import moat.protocol.imap.ImapBackend.QuotaStatus;

/**
 * RFC 9208 QUOTA with the STORAGE resource: one quota root per user, named {@code ""}, holding
 * all of the user's mailboxes. GETQUOTA and GETQUOTAROOT report usage and limit in units of
 * 1024 octets (RFC 9208 section 5.1, rounded up). SETQUOTA is refused: limits are set by the
 * administrator ({@code moat user quota}), so QUOTASET is not advertised.
 */
final class QuotaCommands {
    /** The one quota root (RFC 9208 section 3.2 allows any name; Moat has one root per user). */
    static final String ROOT = "";
    private final ImapSession s;

    QuotaCommands(ImapSession s) {
        this.s = s;
    }

    ImapAction getQuota(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        a.sp();
        String root = a.astring();
        a.end();
        if (!root.equals(ROOT)) return s.no(r.tag(), "[NONEXISTENT] No such quota root");
        return s.send(new Out().untagged(quota()), r.tag(), "GETQUOTA completed");
    }

    ImapAction getQuotaRoot(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        a.sp();
        String wire = a.astring();
        a.end();
        Optional<String> name = MailboxName.fromWire(wire, s.utf8);
        if (name.isEmpty()) return s.no(r.tag(), "[CANNOT] Invalid mailbox name");
        Optional<MailboxInfo> mb = s.backend.find(s.user, name.get());
        if (mb.isEmpty()) return s.no(r.tag(), "[NONEXISTENT] No such mailbox");
        Out o = new Out().text("* QUOTAROOT ").string(MailboxName.toWire(mb.get().name(), s.utf8))
                .text(" ").string(ROOT).crlf();
        return s.send(o.untagged(quota()), r.tag(), "GETQUOTAROOT completed");
    }

    /** Parsed for its syntax (a malformed one is BAD), then refused. */
    ImapAction setQuota(ImapRequest r) throws SyntaxError {
        Args a = r.args();
        a.sp();
        a.astring();
        a.sp();
        a.open();
        while (!a.peekIs(')')) {
            a.atom();
            a.sp();
            a.number();
            a.skip(' ');
        }
        a.close();
        a.end();
        return s.no(r.tag(), "[NOPERM] Quotas are set by the administrator");
    }

    private String quota() {
        QuotaStatus q = s.backend.quota(s.user);
        return "QUOTA \"\" (STORAGE " + kib(q.usage()) + " " + kib(q.limit()) + ")";
    }

    private static long kib(long octets) {
        return (octets + 1023) / 1024;
    }

    /** Empty when {@code more} octets fit; else the tagged NO [OVERQUOTA] (RFC 9208 section 4.3). */
    static Optional<ImapAction> refuseOver(ImapSession s, String tag, long more) {
        if (!s.backend.quota(s.user).exceededBy(more)) return Optional.empty();
        return Optional.of(s.no(tag, "[OVERQUOTA] Storage quota exceeded"));
    }
}
