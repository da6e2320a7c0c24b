package moat.policy;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import moat.core.EmailAddress;

/**
 * The message as the data stage sees it at end of DATA/BDAT, after it is staged on disk and after
 * mail authentication has run, before the "250": the envelope, the submitting account (empty on
 * port 25), the mail-authentication results, the header section as it will be stored (trace and
 * Authentication-Results fields on top) and a reader over the whole message.
 *
 * <p>{@link #open()} is bounded by {@code scanLimit}: a check never reads more, whatever the
 * message size ({@link #truncated()} tells it so). Each call opens a new reader.
 *
 * @param authentication the results by method, e.g. {@code spf=pass}, {@code dkim=pass:example.org:s1},
 *                       {@code dmarc=fail}; empty on submission and for trusted sessions
 * @param headers        the header section (CRLF line ends, without the empty line), decoded
 *                       byte-for-byte (ISO-8859-1) so no octet is lost or replaced
 */
public record Content(Optional<EmailAddress> sender, List<EmailAddress> recipients, Optional<EmailAddress> authUser,
                      Map<String, String> authentication, String headers, long size, long scanLimit, Source source) {

    /** Opens the stored message from its first octet. */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    public Content {
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(authUser, "authUser");
        authentication = Map.copyOf(authentication);
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(source, "source");
        if (scanLimit < 0) throw new IllegalArgumentException("scanLimit must be >= 0");
    }

    /** The whole message (header section, empty line, body), at most {@code scanLimit} octets. */
    public InputStream open() throws IOException {
        return new BoundedInput(source.open(), scanLimit);
    }

    /** True when the message is larger than what {@link #open()} gives. */
    public boolean truncated() {
        return size > scanLimit;
    }

    /** Reads at most {@code limit} octets of {@code in}, then reports end of stream. */
    private static final class BoundedInput extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInput(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int b = in.read();
            if (b >= 0) left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
