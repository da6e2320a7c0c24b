package moat.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every event Moat records, defined once: its stable dotted name, what it means and which fields
 * it carries. The audit log writes it, the coming metrics and syslog shipper will count and ship
 * it, and {@code docs/events.md} is generated from it, so a newcomer can list everything the log
 * may contain. Beside {@link Reason}: a refusal's event carries the reason's id in its
 * {@code reason} field.
 *
 * <p>Every event line starts with {@code ts} (UTC, milliseconds) and {@code event} (the name);
 * its fields follow. In the audit log file each line is also chained: {@code seq} before
 * {@code ts}, {@code hash} last (docs/adr/0027). A field marked optional ({@code ?} in the definition) is absent when
 * it does not apply, never written empty. No event carries a password or an AUTH payload.
 */
public enum Event {
    // SMTP sessions (port 25, 587, 465)
    SMTP_CONNECT("smtp.connect", Group.SMTP, "", "An SMTP connection was accepted (after the connection limits)."),
    SMTP_TRANSACTION("smtp.transaction", Group.SMTP,
            "mail_from rcpts size queue_id? code status? reason? " + Group.MESSAGE_AUTH,
            "A MAIL transaction ended: accepted (code 250, queue_id), refused at end of data, or abandoned; each RCPT with its reply, then the SPF/DKIM/DMARC/ARC, signing and content results."),
    SMTP_REJECTED("smtp.rejected", Group.SMTP, "command code status? reason?",
            "A command outside the transaction bookkeeping was refused (CONNECT for a refusal instead of the greeting, AUTH, MAIL, syntax...)."),
    SMTP_AUTH("smtp.auth", Group.SMTP, "mechanism", "SMTP AUTH succeeded; auth_user names the user."),
    SMTP_DISCONNECT("smtp.disconnect", Group.SMTP, "why", "The SMTP connection ended (closed, timeout, data rate, io error...)."),
    POLICY_SCORE("policy.score", Group.SMTP, "check reason points score detail",
            "A policy check scored points without refusing by itself; score is the session's total now."),
    // connections and logins of every protocol
    CONNECTION_REFUSED("connection.refused", Group.NONE, "listener client_ip client_port code reason",
            "A connection was refused at accept (total, per-client or rate limit; SMTP early talker), before TLS or a session."),
    AUTH_LOCKOUT("auth.lockout", Group.NONE, "scope ip account? until reason",
            "Too many failed logins: the network (scope ip) or an account from a network (scope account) is locked until the time given (docs/adr/0005)."),
    // IMAP
    IMAP_LOGIN("imap.login", Group.IMAP, "user sessions", "An IMAP login succeeded; sessions is the user's IMAP session count now."),
    IMAP_LOGIN_FAILED("imap.login.failed", Group.IMAP, "username reason",
            "An IMAP login was refused; reason is a Reason code (auth.failed, auth.locked_out, limit.sessions_per_user)."),
    IMAP_LOGOUT("imap.logout", Group.IMAP, "user sessions", "An IMAP session of a logged-in user ended; sessions is the count left."),
    // POP3
    POP3_CONNECT("pop3.connect", Group.POP3, "", "A POP3 connection was accepted."),
    POP3_LOGIN("pop3.login", Group.POP3, "mechanism", "A POP3 login succeeded and the maildrop was opened."),
    POP3_LOGIN_FAILED("pop3.login.failed", Group.POP3, "username mechanism reason",
            "A POP3 login was refused; reason is a Reason code (auth.failed, auth.locked_out, auth.temporary, pop3.maildrop_in_use, store.failed, syntax.parameter for a malformed PLAIN response)."),
    POP3_QUIT("pop3.quit", Group.POP3, "retrieved deleted left reason?",
            "A POP3 session ended with QUIT (the update state); reason store.expunge_failed when the deletions could not be applied."),
    POP3_DISCONNECT("pop3.disconnect", Group.POP3, "why retrieved marked_not_deleted",
            "A POP3 connection ended without QUIT: messages marked for deletion are kept (RFC 1939 section 6)."),
    POP3_REJECTED("pop3.rejected", Group.POP3, "command response", "A POP3 command was answered -ERR."),
    // content checks (docs/adr/0019)
    CONTENT_VERDICT("content.verdict", Group.CONTENT, "check verdict detail? reason? points? header?",
            "A content check at end of data gave a verdict other than no opinion."),
    CONTENT_CHECK_FAILED("content.check_failed", Group.CONTENT, "reason error action",
            "A content check threw or ran out of time; action is what content.on_error did (defer or accept)."),
    // outbound delivery (docs/adr/0011)
    DELIVERY_ATTEMPT("delivery.attempt", Group.NONE,
            "queue_id recipient attempt mx? ip? tls? tls_version? tls_cipher? tls_verified? connection_use? code status? text reason? result",
            "One delivery attempt for one recipient: the MX and address, the TLS facts, the remote reply and what became of the row."),
    DELIVERY_CONNECT_FAILED("delivery.connect_failed", Group.NONE, "queue_id mx ip? error",
            "An MX host could not be used: connect or TLS failed at ip, or (no ip) its DANE TLSA look-up failed before any address was tried."),
    DELIVERY_DANE("delivery.dane", Group.NONE, "queue_id mx requirement",
            "The MX host has DNSSEC-validated TLSA records: TLS is required (requirement authenticate or tls_only, RFC 7672)."),
    DELIVERY_MTA_STS("delivery.mta_sts", Group.NONE, "queue_id domain mode mx",
            "The recipient domain has an MTA-STS policy in testing or enforce mode (RFC 8461)."),
    DELIVERY_ARC("delivery.arc", Group.NONE, "queue_id domain selector? cv? not_sealed?",
            "A message forwarded by an alias was ARC-sealed for the alias's domain, or why not (docs/adr/0013)."),
    DELIVERY_REUSE_STALE("delivery.reuse_stale", Group.NONE, "queue_id mx ip transactions",
            "A cached outbound connection failed its RSET and was dropped instead of reused (docs/adr/0022)."),
    DELIVERY_DSN("delivery.dsn", Group.NONE, "queue_id kind recipients result why? to? dsn_id? error?",
            "A delay or failure report (RFC 3464) was stored in the submitter's INBOX, or suppressed (no backscatter), or could not be stored."),
    DELIVERY_TLSRPT("delivery.tlsrpt", Group.NONE,
            "result domain? day? why? not_supported? dkim_signed? queue_id? to? report_id?",
            "A TLS-RPT report (RFC 8460) for a domain and day was queued, or not (no usable rua, or TLS-RPT disabled at start)."),
    DELIVERY_RECOVERED("delivery.recovered", Group.NONE, "rows", "At start, queue rows a crashed process left in delivery were put back."),
    DELIVERY_REQUEUED("delivery.requeued", Group.NONE, "queue_id recipients",
            "Rows were put back in the queue without an attempt (shutdown while sending)."),
    DELIVERY_RATE_HELD("delivery.rate_held", Group.NONE, "queue_id recipients domain auth_user? until",
            "An authenticated user sent to more than delivery.user_rate recipients an hour: the rows wait in the queue until the time given."),
    // the audit log itself (docs/adr/0027)
    AUDIT_CHECKPOINT("audit.checkpoint", Group.NONE, "signed_seq signed_hash key_id sig why",
            "A signed checkpoint of the audit log's hash chain: Ed25519 signature (key key_id) over the chain up to line signed_seq, whose hash is signed_hash; why is lines, interval or stop (moat log verify checks it)."),
    // failures inside the server that the admin must see; error is the exception
    SERVER_ERROR("server.error", Group.NONE, "error", "A bug or unexpected failure in one connection; only that connection was dropped."),
    MAILAUTH_FAILED("mailauth.failed", Group.NONE, "error", "Finishing a message's mail authentication or signing failed; the message was refused with 451."),
    STORE_COMMIT_FAILED("store.commit_failed", Group.NONE, "error", "A message could not be committed durably; it was refused with 451 (the client retries)."),
    DELIVERY_SCAN_FAILED("delivery.scan_failed", Group.NONE, "error", "The queue runner could not read the due rows; it tries again at the next scan."),
    DELIVERY_FAILED_UNEXPECTEDLY("delivery.failed_unexpectedly", Group.NONE, "error", "A delivery attempt failed with an unexpected error; the rows are retried after their lease."),
    DELIVERY_QUEUE_UPDATE_FAILED("delivery.queue_update_failed", Group.NONE, "error", "The result of an attempt could not be written; the rows stay leased and are retried after the lease."),
    DELIVERY_BODY_UNREADABLE("delivery.body_unreadable", Group.NONE, "error", "A queued message's body could not be read; the attempt is deferred."),
    DELIVERY_MTA_STS_CACHE_FAILED("delivery.mta_sts_cache_failed", Group.NONE, "error", "The MTA-STS policy cache could not be read or written (delivery.mta_sts_cache)."),
    DELIVERY_TLSRPT_FAILED("delivery.tlsrpt_failed", Group.NONE, "error", "A TLS-RPT report could not be built or queued."),
    DELIVERY_TLSRPT_STATE_FAILED("delivery.tlsrpt_state_failed", Group.NONE, "error", "The TLS-RPT counts could not be read or saved (delivery.tlsrpt_state)."),
    ;

    /** Fields that several events share, written right after {@code ts} and {@code event}. */
    enum Group {
        NONE(""),
        /** The SMTP session: its id, listener, client, HELO, TLS and authenticated user. */
        SMTP("session listener client_ip client_port helo? tls_version? tls_cipher? auth_user?"),
        IMAP("session client_ip client_port tls_version? tls_cipher?"),
        POP3("session listener client_ip client_port tls_version? tls_cipher? user?"),
        /** The SMTP session a content check ran in and the message's queue id. */
        CONTENT("session listener client_ip auth_user? queue_id");

        /** The mail authentication, signing and content results at the end of smtp.transaction. */
        static final String MESSAGE_AUTH = "spf? spf_domain? spf_reason? dkim? dkim_reason? dmarc? dmarc_reason? dmarc_from? "
                + "dmarc_disposition? dmarc_override? arc? arc_reason? mailbox? dkim_signed? dkim_sign_reason? content?";

        private final String fields;

        Group(String fields) {
            this.fields = fields;
        }
    }

    /** One field of an event; {@code optional} fields are absent when they do not apply. */
    public record Field(String name, boolean optional) {}

    private final String name;
    private final List<Field> fields;
    private final String doc;

    Event(String name, Group group, String fields, String doc) {
        this.name = name;
        this.doc = doc;
        List<Field> all = new ArrayList<>();
        for (String f : (group.fields + " " + fields).trim().split("\\s+")) {
            if (f.isEmpty()) continue;
            all.add(f.endsWith("?") ? new Field(f.substring(0, f.length() - 1), true) : new Field(f, false));
        }
        this.fields = List.copyOf(all);
    }

    /** The stable dotted name, the log's {@code event} field, e.g. {@code smtp.transaction}. */
    public String id() {
        return name;
    }

    /** The fields after {@code ts} and {@code event}: the shared ones first, then the event's own. */
    public List<Field> fields() {
        return fields;
    }

    public String doc() {
        return doc;
    }

    /**
     * What is wrong with {@code written} as this event's fields: an unknown field or a missing
     * required one; empty when nothing is. The event stream checks every event with it.
     */
    public List<String> problems(Collection<String> written) {
        List<String> out = new ArrayList<>();
        Set<String> known = new LinkedHashSet<>();
        for (Field f : fields) {
            known.add(f.name());
            if (!f.optional() && !written.contains(f.name())) out.add(name + ": missing field " + f.name());
        }
        for (String w : written) if (!known.contains(w)) out.add(name + ": field " + w + " not in the catalogue");
        return out;
    }

    /** Markdown table of every event, for {@code docs/events.md}. */
    public static String markdown() {
        StringBuilder sb = new StringBuilder("# Events\n\nGenerated from `moat.core.Event`; do not edit by hand.\n\n")
                .append("Each line of `audit.log` is one JSON object: `seq` (its place in the hash chain), `ts` (UTC, milliseconds), ")
                .append("`event` (the name below), then its fields, and last `hash` (docs/adr/0027-tamper-evident-audit-log.md). A field in *italics* is optional: absent when it does not apply. ")
                .append("A `reason` field holds a code of [reasons.md](reasons.md). No event carries a password.\n\n")
                .append("| event | fields | meaning |\n|---|---|---|\n");
        for (Event e : values()) {
            sb.append("| `").append(e.name).append("` | ");
            sb.append(String.join(" ", e.fields.stream().map(f -> f.optional() ? "*" + f.name() + "*" : f.name()).toList()));
            sb.append(" | ").append(e.doc).append(" |\n");
        }
        return sb.toString();
    }

    /** Event by its dotted name. */
    public static java.util.Optional<Event> byId(String id) {
        return Arrays.stream(values()).filter(e -> e.name.equals(id)).findFirst();
    }
}
