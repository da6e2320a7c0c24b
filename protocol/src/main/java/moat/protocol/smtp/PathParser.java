package moat.protocol.smtp;

import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.core.Reply;

/**
 * Turns the text between the angle brackets of MAIL/RCPT into an {@link EmailAddress}, strictly
 * (RFC 5321 section 4.1.2). Nothing is repaired: a source route, an address literal recipient, a
 * trailing dot or a non-ASCII address without SMTPUTF8 is refused with its own reason, so no
 * spelling of an address can route mail somewhere the relay check did not see.
 */
public final class PathParser {
    private PathParser() {}

    public sealed interface Result {
        record Ok(Optional<EmailAddress> address) implements Result {}

        record Error(Reply reply) implements Result {}
    }

    /** Reverse-path: {@code <>} is the null sender. */
    public static Result reversePath(String path, boolean smtpUtf8) {
        if (path.isEmpty()) return new Result.Ok(Optional.empty());
        return mailbox(path, smtpUtf8, Reason.SYNTAX_SENDER);
    }

    /** Forward-path; {@code defaultDomain} completes the bare {@code <Postmaster>} of section 4.5.1. */
    public static Result forwardPath(String path, boolean smtpUtf8, String defaultDomain) {
        if (path.isEmpty()) return new Result.Error(Reply.of(Reason.SYNTAX_ADDRESS, "Empty recipient"));
        if (path.equalsIgnoreCase("postmaster")) path = "postmaster@" + defaultDomain;
        return mailbox(path, smtpUtf8, Reason.SYNTAX_ADDRESS);
    }

    private static Result mailbox(String path, boolean smtpUtf8, Reason syntax) {
        if (path.startsWith("@"))
            return new Result.Error(Reply.of(syntax, "Source routes are not accepted"));
        if (path.length() > EmailAddress.MAX_ADDRESS)
            return new Result.Error(Reply.of(syntax, "Address too long"));
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c >= 0x80 && !smtpUtf8) return new Result.Error(Reply.of(Reason.SMTPUTF8_REQUIRED));
            if (c < 0x20 || c == 0x7f) return new Result.Error(Reply.of(syntax, "Control character in address"));
        }
        int at = path.lastIndexOf('@');
        if (at > 0 && at + 1 < path.length() && path.charAt(at + 1) == '[') {
            return new Result.Error(syntax == Reason.SYNTAX_SENDER
                    ? Reply.of(syntax, "Address literals are not accepted as senders")
                    : Reply.of(Reason.ADDRESS_LITERAL));
        }
        Optional<EmailAddress> a = EmailAddress.parse(path);
        if (a.isEmpty()) return new Result.Error(Reply.of(syntax));
        return new Result.Ok(a);
    }
}
