package moat.protocol.smtp;

import java.util.Map;
import java.util.Optional;

/** A parsed SMTP command line. Parameters of MAIL/RCPT are upper-cased keywords. */
public sealed interface SmtpCommand {
    record Ehlo(String name) implements SmtpCommand {}

    record Helo(String name) implements SmtpCommand {}

    /** {@code path} is the text between the angle brackets; {@code <>} gives an empty string. */
    record Mail(String path, Map<String, String> params) implements SmtpCommand {}

    record Rcpt(String path, Map<String, String> params) implements SmtpCommand {}

    record Data() implements SmtpCommand {}

    record Bdat(long size, boolean last) implements SmtpCommand {}

    record Rset() implements SmtpCommand {}

    record Noop() implements SmtpCommand {}

    record Quit() implements SmtpCommand {}

    record Help() implements SmtpCommand {}

    record StartTls() implements SmtpCommand {}

    record Auth(String mechanism, Optional<String> initialResponse) implements SmtpCommand {}

    record Vrfy() implements SmtpCommand {}

    record Expn() implements SmtpCommand {}
}
