package moat.core;

import java.util.List;
import java.util.Optional;

/**
 * The SMTP envelope of one accepted message. An empty {@code sender} is the null reverse-path
 * {@code <>} (RFC 5321 section 4.5.5).
 */
public record Envelope(Optional<EmailAddress> sender, List<EmailAddress> recipients) {
    public Envelope {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) throw new IllegalArgumentException("an envelope needs a recipient");
    }
}
