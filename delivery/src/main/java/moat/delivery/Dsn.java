package moat.delivery;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import moat.core.EmailAddress;
import moat.core.PeerText;
import moat.core.Reply;

/**
 * A delivery status notification (RFC 3464) as a {@code multipart/report} message (RFC 6522):
 * a text part for people, a {@code message/delivery-status} part with one per-recipient block per
 * failed or delayed recipient, and the original header section ({@code text/rfc822-headers}).
 * The original body is not returned (RET=HDRS behaviour): the sender has it in their Sent folder.
 */
final class Dsn {
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    enum Kind { FAILED, DELAYED }

    /** One recipient's line in the report. {@code remoteMta} empty when no server was reached. */
    record Line(EmailAddress recipient, Reply reply, String remoteMta, boolean fromRemote) {}

    private Dsn() {}

    static String build(Kind kind, String hostname, String queueId, EmailAddress to, Instant arrival, Instant now,
                        Instant retryUntil, List<Line> lines, String originalHeaders) {
        String boundary = "=_moat_" + queueId + "_" + now.toEpochMilli();
        StringBuilder m = new StringBuilder();
        m.append("From: Mail Delivery System <MAILER-DAEMON@").append(hostname).append(">\r\n");
        m.append("To: <").append(to).append(">\r\n");
        m.append("Subject: ").append(kind == Kind.FAILED ? "Undelivered Mail Returned to Sender"
                : "Delayed Mail (still being retried)").append("\r\n");
        m.append("Date: ").append(DATE.format(now)).append("\r\n");
        m.append("Message-ID: <").append(queueId).append('.').append(kind.name().toLowerCase(Locale.ROOT)).append('.')
                .append(now.toEpochMilli()).append("@").append(hostname).append(">\r\n");
        m.append("Auto-Submitted: auto-replied\r\n"); // RFC 3834 section 5: never answered automatically
        m.append("MIME-Version: 1.0\r\n");
        m.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").append(boundary)
                .append("\"\r\n\r\n");
        m.append("--").append(boundary).append("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        if (kind == Kind.FAILED) {
            m.append("Your message ").append(queueId).append(" could not be delivered to these recipients:\r\n\r\n");
        } else {
            m.append("Your message ").append(queueId).append(" has not been delivered yet to these recipients.\r\n")
                    .append("Moat keeps trying until ").append(DATE.format(retryUntil))
                    .append("; you need not send it again.\r\n\r\n");
        }
        for (Line l : lines) {
            m.append("  <").append(l.recipient()).append(">: ").append(oneLine(SmtpTransport.text(l.reply())));
            if (!l.remoteMta().isEmpty()) m.append(" (").append(l.fromRemote() ? "said by " : "while talking to ")
                    .append(l.remoteMta()).append(')');
            m.append("\r\n");
        }
        m.append("\r\n--").append(boundary).append("\r\nContent-Type: message/delivery-status\r\n\r\n");
        m.append("Reporting-MTA: dns; ").append(hostname).append("\r\n");
        m.append("X-Moat-Queue-ID: ").append(queueId).append("\r\n");
        m.append("Arrival-Date: ").append(DATE.format(arrival)).append("\r\n");
        for (Line l : lines) {
            m.append("\r\nFinal-Recipient: rfc822; ").append(l.recipient()).append("\r\n");
            m.append("Action: ").append(kind == Kind.FAILED ? "failed" : "delayed").append("\r\n");
            m.append("Status: ").append(l.reply().status().map(Object::toString)
                    .orElse(l.reply().code() / 100 + ".0.0")).append("\r\n");
            if (!l.remoteMta().isEmpty()) m.append("Remote-MTA: dns; ").append(l.remoteMta()).append("\r\n");
            m.append("Diagnostic-Code: ").append(l.fromRemote() ? "smtp; " : "x-moat; ")
                    .append(oneLine(SmtpTransport.text(l.reply()))).append("\r\n");
            m.append("Last-Attempt-Date: ").append(DATE.format(now)).append("\r\n");
            if (kind == Kind.DELAYED) m.append("Will-Retry-Until: ").append(DATE.format(retryUntil)).append("\r\n");
        }
        m.append("\r\n--").append(boundary).append("\r\nContent-Type: text/rfc822-headers\r\n\r\n");
        m.append(originalHeaders.endsWith("\r\n") ? originalHeaders : originalHeaders + "\r\n");
        m.append("\r\n--").append(boundary).append("--\r\n");
        return m.toString();
    }

    /** Remote text is untrusted: no CR/LF (header injection), no control characters. */
    private static String oneLine(String s) {
        return PeerText.line(s, 900);
    }
}
