package moat.server.content.clamd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import moat.core.Reason;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Content;
import moat.policy.Verdict;

/**
 * The antivirus content check: streams the stored message to clamd and refuses it
 * ({@link Reason#CONTENT_VIRUS}) when clamd names a signature. The verdict's detail carries the
 * signature for the content.verdict audit line; the content stage keeps it out of the reply.
 * clamd unreachable, slow or answering an error is not a finding: the check throws, and
 * content.on_error decides (451 by default, so the sender keeps the message).
 *
 * <p>The whole message goes to clamd, header included, so that with ScanMail clamd decodes the
 * MIME parts (base64, nested message/rfc822) and with ScanArchive opens the archives in them.
 */
public final class ClamdCheck implements Check {
    private final ClamdClient client;
    private final long maxSize;

    /** {@code maxSize}: octets sent per message (content.clamd_max_size); the rest is not scanned. */
    public ClamdCheck(ClamdClient client, long maxSize) {
        if (maxSize < 1) throw new IllegalArgumentException("maxSize must be >= 1");
        this.client = client;
        this.maxSize = maxSize;
    }

    @Override
    public String name() {
        return "content.virus";
    }

    /** Trusted and authenticated senders are scanned too (a compromised account must not spread malware). */
    @Override
    public boolean reputation() {
        return false;
    }

    @Override
    public Verdict data(CheckState state, Content content) {
        Instream.Result r;
        // Its own bound, not content.max_scan_size: that one bounds what Moat parses in its own
        // memory; this stream passes through a 64 KiB buffer, and clamd's StreamMaxLength is the
        // limit that matters (its default is 25 MiB, above max_scan_size's 10 MiB).
        try (InputStream in = content.source().open()) {
            r = client.scan(in, maxSize);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        return switch (r) {
            case Instream.Result.Clean c -> Verdict.noOpinion();
            case Instream.Result.Found f -> new Verdict.Reject(Reason.CONTENT_VIRUS, "virus found: " + f.signature()
                    + (content.size() > maxSize ? " (first " + maxSize + " octets scanned)" : ""));
            case Instream.Result.Failed f -> throw new IllegalStateException("clamd at " + client.address() + ": " + f.error());
        };
    }
}
