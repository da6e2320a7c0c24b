package moat.auth.dkim;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import moat.core.dns.Resolver;

/**
 * Verifies the DKIM signatures of messages (RFC 6376 section 6, RFC 8301, RFC 8463). One
 * instance serves every session; each message gets its own {@link DkimVerification}:
 *
 * <pre>{@code
 * DkimVerification v = verifier.begin(headerSection);   // once, the header fields
 * v.update(chunk, 0, n);                                // the body, in any number of chunks
 * List<DkimResult> results = v.finish();                // one per DKIM-Signature, DNS happens here
 * }</pre>
 */
public final class DkimVerifier {
    private final Resolver dns;
    private final DkimSettings settings;
    private final Clock clock;

    public DkimVerifier(Resolver dns, DkimSettings settings, Clock clock) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public DkimVerifier(Resolver dns) {
        this(dns, DkimSettings.defaults(), Clock.systemUTC());
    }

    /**
     * Starts verifying a message.
     *
     * @param headerSection the header fields as received, CRLF line ends; the empty line that
     *                      ends them may be included or not. The body must not be.
     */
    public DkimVerification begin(byte[] headerSection) {
        return new DkimVerification(dns, settings, clock, headerSection);
    }

    /** Verifies a whole message held in memory: headers, empty line, body. */
    public List<DkimResult> verify(byte[] message) {
        int split = MessageSplit.bodyStart(message);
        DkimVerification v = begin(java.util.Arrays.copyOf(message, split));
        v.update(message, split, message.length - split);
        return v.finish();
    }
}
