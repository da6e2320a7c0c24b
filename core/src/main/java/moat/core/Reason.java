package moat.core;

/**
 * The one catalogue of refusal, deferral and disconnect reasons. The SMTP reply, the audit log
 * event, metrics labels and {@code docs/reasons.md} all come from these constants: add a reason
 * here, never a literal reply elsewhere.
 */
public enum Reason {
    // syntax and sequence (RFC 5321 section 4.2.4, RFC 3463)
    SYNTAX_COMMAND("syntax.command", 500, "5.5.2", "Syntax error, command unrecognized", "The command verb is unknown or malformed."),
    SYNTAX_PARAMETER("syntax.parameter", 501, "5.5.4", "Syntax error in parameters or arguments", "The command's arguments do not follow RFC 5321."),
    SYNTAX_ADDRESS("syntax.address", 501, "5.1.3", "Bad address syntax", "The address in MAIL or RCPT is not a strict RFC 5321 mailbox (source routes, trailing dots, bare specials are refused)."),
    SYNTAX_SENDER("syntax.sender", 553, "5.1.7", "Bad sender address syntax", "The MAIL FROM address is not a valid RFC 5321 reverse-path."),
    NO_VALID_RECIPIENTS("syntax.no_valid_recipients", 554, "5.5.1", "No valid recipients", "DATA or BDAT after every RCPT of the transaction was refused (RFC 2920 section 3.1)."),
    SEQUENCE("syntax.sequence", 503, "5.5.1", "Bad sequence of commands", "The command is not allowed at this point of the dialogue."),
    NOT_IMPLEMENTED("syntax.not_implemented", 502, "5.5.1", "Command not implemented", "The command exists but is switched off (VRFY, EXPN by default)."),
    PARAMETER_UNKNOWN("syntax.parameter_unknown", 555, "5.5.4", "Unsupported parameter", "A MAIL or RCPT parameter that Moat did not advertise."),
    LINE_TOO_LONG("limit.line_length", 500, "5.5.6", "Line too long", "A command line exceeded smtp.max_command_line."),
    TEXT_LINE_TOO_LONG("limit.text_line_length", 552, "5.3.4", "Message line too long", "A line of the message exceeded smtp.max_text_line (RFC 5321 section 4.5.3.1.6)."),
    HEADER_TOO_LARGE("limit.header_size", 552, "5.3.4", "Message header too large", "The message header section exceeded smtp.max_header_size."),
    MESSAGE_TOO_LARGE("limit.message_size", 552, "5.3.4", "Message size exceeds fixed maximum message size", "The message (or its SIZE declaration) exceeded smtp.max_message_size."),
    TOO_MANY_RECIPIENTS("limit.recipients", 452, "4.5.3", "Too many recipients", "More RCPT commands than smtp.max_recipients in one transaction (RFC 5321 section 4.5.3.1.10)."),
    TOO_MANY_TRANSACTIONS("limit.transactions", 421, "4.7.0", "Too many transactions, closing connection", "The connection used up smtp.max_transactions."),
    TOO_MANY_ERRORS("limit.errors", 421, "4.7.0", "Too many errors, closing connection", "The client made more than smtp.max_errors protocol errors."),
    SESSION_TOO_LONG("limit.session_duration", 421, "4.4.2", "Session time limit exceeded, closing connection", "The connection outlived smtp.max_session_duration."),
    TIMEOUT("limit.timeout", 421, "4.4.2", "Timeout, closing connection", "The client was silent longer than the read timeout for this state (RFC 5321 section 4.5.3.2)."),
    // smuggling and data integrity
    DATA_BARE_LF("data.bare_lf", 554, "5.6.0", "Message refused: bare LF not allowed, use CRLF", "A line feed not preceded by a carriage return in DATA or BDAT (SMTP smuggling, CVE-2023-51764 class)."),
    DATA_BARE_CR("data.bare_cr", 554, "5.6.0", "Message refused: bare CR not allowed, use CRLF", "A carriage return not followed by a line feed in DATA or BDAT (SMTP smuggling)."),
    // TLS and authentication
    BAD_ENCODING("syntax.encoding", 500, "5.5.2", "Command line is not valid UTF-8", "A command line held bytes that are not UTF-8."),
    TLS_REQUIRED("tls.required", 530, "5.7.0", "Must issue a STARTTLS command first", "This listener requires TLS before the command (no password or mail on a plaintext channel)."),
    TLS_UNAVAILABLE("tls.unavailable", 454, "4.7.0", "TLS not available due to temporary reason", "The TLS handshake could not be started."),
    AUTH_REQUIRED("auth.required", 530, "5.7.0", "Authentication required", "Submission listeners accept mail only from authenticated users."),
    AUTH_FAILED("auth.failed", 535, "5.7.8", "Authentication credentials invalid", "Wrong user name or password (the reply does not say which)."),
    AUTH_MECHANISM("auth.mechanism", 504, "5.5.4", "Unrecognized authentication type", "AUTH named a mechanism that is not offered."),
    AUTH_CANCELLED("auth.cancelled", 501, "5.7.0", "Authentication cancelled", "The client answered an AUTH challenge with '*' (RFC 4954 section 4)."),
    AUTH_ALREADY("auth.already", 503, "5.5.1", "Already authenticated", "A second AUTH in one session (RFC 4954 section 4)."),
    AUTH_TEMP("auth.temporary", 454, "4.7.0", "Temporary authentication failure", "The user store could not be read; try again later."),
    // relay and recipients
    RELAY_DENIED("relay.denied", 554, "5.7.1", "Relay access denied", "The recipient domain is not local nor a relay domain and the client is neither authenticated nor in a trusted network (no open relay)."),
    RCPT_UNKNOWN("rcpt.unknown", 550, "5.1.1", "No such user here", "The recipient is in a local domain but is no user nor alias (refused at RCPT so Moat never bounces: no backscatter)."),
    SENDER_NOT_OWNED("sender.not_owned", 553, "5.7.1", "Sender address not owned by authenticated user", "On submission, MAIL FROM must be the user's own address or an alias that points to them."),
    ADDRESS_LITERAL("relay.address_literal", 554, "5.7.1", "Address literals are not accepted as recipients", "RCPT TO:<user@[192.0.2.1]> is never local and never relayed."),
    SMTPUTF8_REQUIRED("syntax.smtputf8_required", 553, "5.6.7", "Non-ASCII address requires SMTPUTF8", "An internationalised address was given without the SMTPUTF8 parameter (RFC 6531)."),
    // storage quota (moat.server.quota; RFC 9208 for IMAP)
    MAILBOX_FULL("rcpt.mailbox_full", 452, "4.2.2", "Mailbox full, try again later", "Every local mailbox the recipient resolves to is at its storage quota (imap.default_quota or moat user quota); temporary so the sender retries once the user makes room."),
    POSTMASTER_UNSET("rcpt.postmaster_unset", 451, "4.3.0", "Postmaster mailbox not set up yet, try again later", "postmaster@ or abuse@ of a local domain has no user or alias, server.postmaster is empty or names nobody, and there is no user to fall back to: deferred, so the mail waits at the sender instead of being lost (docs/adr/0024-postmaster-and-abuse.md)."),

    // connection, rate and authentication limits (moat.server.limits; shared by SMTP, IMAP, POP3)
    CONNECTIONS_TOTAL("limit.connections_total", 421, "4.7.0", "Too many connections, try again later", "The server already holds limits.max_connections connections; refused at accept, before TLS or a session."),
    CONNECTIONS_PER_IP("limit.connections_per_ip", 421, "4.7.0", "Too many connections from your address, try again later", "The client's address (IPv4 /32, IPv6 /64 by default) already holds limits.max_connections_per_ip connections."),
    CONNECTION_RATE("limit.connection_rate", 421, "4.7.0", "Connection rate limit exceeded, try again later", "The client's address opened more than limits.connection_rate connections in one minute."),
    PREGREET("limit.pregreet", 554, "5.7.1", "Protocol error: client sent data before the greeting", "The client talked before the banner (an early talker: real MTAs wait for 220); closed."),
    DATA_RATE("limit.data_rate", 421, "4.4.2", "Data rate too low, closing connection", "DATA or BDAT arrived slower than limits.min_data_rate averaged over limits.data_rate_window (slowloris)."),
    MESSAGE_RATE("limit.message_rate", 451, "4.7.1", "Message rate limit exceeded, try again later", "The client's address sent more than limits.message_rate MAIL commands in one hour; deferred, not refused."),
    RECIPIENT_RATE("limit.recipient_rate", 451, "4.7.1", "Recipient rate limit exceeded, try again later", "The client's address sent more than limits.recipient_rate RCPT commands in one hour; deferred, not refused."),
    AUTH_LOCKED("auth.locked_out", 454, "4.7.0", "Temporary authentication failure", "Too many failed logins from this address, or for this account from this network: the password is not checked until the lockout expires (docs/adr/0005-auth-lockout.md)."),
    // perimeter policy (moat.policy): lists, reverse DNS, HELO, DNS block lists, greylisting
    LIST_DENIED("list.denied", 554, "5.7.1", "Access denied", "The client IP, HELO name, sender address or sender domain is on the server-wide deny list (policy.deny_*)."),
    IPREV_NONE("iprev.none", 550, "5.7.25", "Client host has no reverse DNS (PTR) record", "The client IP has no PTR record (RFC 8601 section 3 iprev fail; RFC 7372 5.7.25). Scored, not refused, by default."),
    IPREV_FAIL("iprev.fail", 550, "5.7.25", "Client host reverse DNS does not resolve back to its address", "No PTR name of the client IP resolves back to it (forward-confirmed reverse DNS, RFC 8601 section 3 iprev fail)."),
    IPREV_GENERIC("iprev.generic", 550, "5.7.1", "Client host name looks like a dynamic or generic address", "The client's PTR name embeds its IP address or words like dynamic, dhcp, pool, dsl (an end-user access network)."),
    HELO_INVALID("helo.invalid", 501, "5.5.2", "Invalid HELO/EHLO name", "The HELO/EHLO argument is neither a syntactically valid domain nor an address literal (RFC 5321 section 4.1.1.1)."),
    HELO_NON_FQDN("helo.non_fqdn", 504, "5.5.2", "HELO/EHLO name must be a fully-qualified domain name", "The HELO/EHLO name has a single label such as localhost (RFC 5321 section 4.1.1.1 asks for the FQDN)."),
    HELO_FORGED("helo.forged", 550, "5.7.1", "HELO/EHLO name claims to be this server", "The client greeted with this server's own host name, one of its local domains or one of its IP addresses."),
    HELO_LITERAL_MISMATCH("helo.literal_mismatch", 550, "5.7.1", "HELO/EHLO address literal does not match the client address", "The HELO/EHLO argument is an address literal that is not the connecting IP."),
    HELO_UNRESOLVABLE("helo.unresolvable", 550, "5.7.1", "HELO/EHLO name does not resolve", "The HELO/EHLO domain has no A or AAAA record (NXDOMAIN or NODATA). A DNS failure is never a reason."),
    DNSBL_LISTED("dnsbl.listed", 554, "5.7.1", "Client host is listed in a DNS block list", "The client IP is listed in a configured DNS block list (RFC 5782); only answers in the zone's configured return codes count, a timeout never does."),
    RHSBL_LISTED("rhsbl.listed", 554, "5.7.1", "Domain is listed in a DNS block list", "The sender or HELO domain is listed in a configured right-hand-side block list (RFC 5782 section 2.2)."),
    POLICY_SCORE("policy.score", 554, "5.7.1", "Message refused: too many policy warnings", "The points of the checks set to score reached policy.reject_score."),
    GREYLIST_DEFERRED("greylist.deferred", 451, "4.7.1", "Greylisted, please try again later", "First delivery attempt from this client network, sender and recipient: retry after greylist.delay."),
    // mail authentication on receipt (moat.server.mailauth; docs/adr/0009-mail-authentication-actions.md)
    SPF_FAIL("spf.fail", 550, "5.7.23", "SPF validation failed", "The sender's SPF policy says the client may not send for it (result fail, RFC 7208 section 8.4; RFC 7372 5.7.23). Acted on per spf.fail_action; by default only when the From domain publishes no DMARC policy."),
    SPF_TEMPERROR("spf.temperror", 451, "4.7.24", "SPF validation error, try again later", "The SPF evaluation hit a DNS failure (temperror, RFC 7208 section 8.6; RFC 7372 4.7.24): deferred, never refused."),
    DMARC_REJECT("dmarc.reject", 550, "5.7.1", "Message refused: DMARC policy of the From domain", "The From domain's DMARC policy is p=reject (after pct) and neither SPF nor DKIM passed aligned with it (RFC 7489 section 6.6.4); refused at end of DATA, nothing stored."),
    FROM_INVALID("dmarc.from_invalid", 550, "5.7.1", "Message refused: several From addresses", "The header has several From fields or a From with several addresses (or a group): DMARC cannot name the one author domain, the ambiguity forgers use (RFC 5322 section 3.6, RFC 7489 section 6.6.1)."),
    // per-user lists (moat.store.UserLists, checked by moat.policy.lists.UserListsCheck at RCPT)
    USER_BLOCKED("user.blocked", 550, "5.7.1", "Recipient refuses mail from this sender", "The recipient's own block list (moat user block add) names the sender address, the sender domain or the client network; only that recipient is refused."),
    // outbound delivery (h-outbound: moat.delivery, moat.protocol.smtpclient); these are
    // the per-recipient results written to the audit log and into DSNs, never sent to a client
    DELIVERY_NO_DOMAIN("delivery.no_domain", 550, "5.1.2", "Recipient domain does not exist", "The recipient domain answered NXDOMAIN to the MX query (RFC 5321 section 5.1)."),
    DELIVERY_NULL_MX("delivery.null_mx", 556, "5.1.10", "Recipient domain does not accept mail (null MX)", "The recipient domain publishes the null MX \"0 .\" (RFC 7505): failed at once, no attempt."),
    DELIVERY_NO_ADDRESS("delivery.no_address", 550, "5.4.4", "No address for any mail exchanger of the recipient domain", "Neither the MX hosts nor the implicit MX have an A or AAAA record."),
    DELIVERY_DNS_TEMPFAIL("delivery.dns_tempfail", 451, "4.4.3", "DNS failure looking up the recipient domain", "The MX or address look-up failed temporarily (timeout, SERVFAIL); retried with back-off."),
    DELIVERY_UNREACHABLE("delivery.unreachable", 451, "4.4.1", "No mail exchanger of the recipient domain answered", "Every MX host and address refused, timed out or dropped the connection; retried with back-off."),
    DELIVERY_PROTOCOL("delivery.protocol", 451, "4.5.0", "The remote server broke the SMTP protocol", "A malformed or oversized reply, or an unexpected close; retried with back-off."),
    DELIVERY_SMTPUTF8("delivery.smtputf8_unsupported", 553, "5.6.7", "Remote server lacks SMTPUTF8, which this message needs", "Internationalised addresses or headers need SMTPUTF8 (RFC 6531 section 3.2) and the peer does not offer it."),
    DELIVERY_8BIT("delivery.8bit_unsupported", 554, "5.6.3", "Remote server lacks 8BITMIME, which this message needs", "The body has 8-bit octets, the peer does not offer 8BITMIME (RFC 6152 section 3) and the body could not be converted to 7-bit (an 8-bit octet inside a base64 or quoted-printable part, nesting deeper than 20, or a message over 64 MiB)."),
    DELIVERY_TOO_LARGE("delivery.too_large", 552, "5.3.4", "Message larger than the remote server's SIZE limit", "The peer's EHLO SIZE value is below the message size (RFC 1870 section 6)."),
    DELIVERY_MTA_STS("delivery.mta_sts", 451, "4.7.5", "The recipient domain's MTA-STS policy cannot be met", "The domain enforces MTA-STS (RFC 8461) and no MX host it lists answered with TLS and a certificate that verifies for its name; retried, never sent in plaintext."),
    DELIVERY_EXPIRED("delivery.expired", 554, "5.4.7", "Delivery time expired", "Temporary failures went on longer than delivery.max_queue_time; the message is given up."),
    // content checks at end of DATA (h-content: moat.policy.content, moat.server.content; docs/adr/0019)
    CONTENT_ATTACHMENT("content.attachment", 550, "5.7.1", "Message refused: attachment type not accepted", "An attachment's file name ends in an extension of content.blocked_extensions (executables and scripts by default), or the MIME structure has more parts than content.max_parts."),
    CONTENT_PATTERN("content.pattern", 550, "5.7.1", "Message refused: content not accepted", "The raw message (header and body as transmitted, not decoded) matches one of the regular expressions of content.patterns."),
    CONTENT_VIRUS("content.virus", 554, "5.7.1", "Message refused: virus found", "clamd (content.clamd_address) found a virus or other malware in the message (content.virus_action = reject). The signature name is in the content.verdict audit line only, never in the reply."),
    CONTENT_CHECK_FAILED("content.check_failed", 451, "4.3.0", "Message content could not be checked, try again later", "A content check threw or ran longer than content.timeout: deferred (content.on_error = defer) so the sender keeps the message and retries."),
    // storage
    STORE_FAILED("store.failed", 451, "4.3.0", "Local error in processing, message not accepted", "The message could not be written durably; the client keeps it and retries."),
    STORE_EXPUNGE_FAILED("store.expunge_failed", 451, "4.3.0", "Deleted messages could not be removed", "POP3 QUIT: the messages marked for deletion could not be expunged; they stay in the maildrop (RFC 1939 section 6 -ERR)."),
    // IMAP and POP3 logins (the SMTP reply columns give the equivalent; IMAP answers NO, POP3 -ERR)
    SESSIONS_PER_USER("limit.sessions_per_user", 421, "4.7.0", "Too many connections for this user", "IMAP: the user already holds imap.max_connections_per_user sessions; the login is refused, the password was right."),
    MAILDROP_IN_USE("pop3.maildrop_in_use", 450, "4.2.1", "Maildrop is in use by another session", "POP3: another session holds this user's maildrop (RFC 1939 section 8: one session per maildrop; RFC 2449 IN-USE)."),
    ;

    private final String code;
    private final int reply;
    private final EnhancedStatus status;
    private final String text;
    private final String doc;

    Reason(String code, int reply, String status, String text, String doc) {
        this.code = code;
        this.reply = reply;
        this.status = EnhancedStatus.of(status);
        this.text = text;
        this.doc = doc;
    }

    /** The stable dotted code, e.g. {@code relay.denied}. */
    public String id() {
        return code;
    }

    public int code() {
        return reply;
    }

    public EnhancedStatus status() {
        return status;
    }

    public String text() {
        return text;
    }

    public String doc() {
        return doc;
    }

    /** Markdown table of every reason, for {@code docs/reasons.md}. */
    public static String markdown() {
        StringBuilder sb = new StringBuilder("# Reasons\n\nGenerated from `moat.core.Reason`; do not edit by hand.\n\n")
                .append("| code | reply | status | text | meaning |\n|---|---|---|---|---|\n");
        for (Reason r : values()) {
            sb.append("| `").append(r.code).append("` | ").append(r.reply).append(" | ").append(r.status)
                    .append(" | ").append(r.text).append(" | ").append(r.doc).append(" |\n");
        }
        return sb.toString();
    }
}
