package moat.auth.dkim;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Signs outgoing mail for one domain (RFC 6376 section 5). One instance per signing key serves
 * every session; each message gets a {@link DkimSigning}:
 *
 * <pre>{@code
 * DkimSigning s = signer.begin(headerSection);
 * s.update(chunk, 0, n);               // the body, streamed
 * String field = s.finish();           // "DKIM-Signature: ...\r\n", to prepend to the message
 * }</pre>
 *
 * <p>Choices, each to make the signature hard to abuse: relaxed/relaxed by default (survives
 * benign re-folding); never l= (section 8.2: unsigned appended content); the header fields in
 * {@link #SIGNED} plus every List-* field present; From, To, Subject and Date are
 * over-signed, listed once more than present (section 8.15), so that a field added in transit
 * breaks the signature instead of being shown to the reader; t= from the injected clock.
 */
public final class DkimSigner {
    /** Signed when present (section 5.4.1's recommendation, plus MIME and threading fields). */
    static final List<String> SIGNED = List.of("From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To",
            "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding");

    /** Listed one extra time, so that an added instance changes the hash (section 5.4.2). */
    static final Set<String> OVER_SIGNED = Set.of("from", "to", "subject", "date");

    private final DkimSigningKey key;
    private final Canonicalization headerCanon;
    private final Canonicalization bodyCanon;
    private final Clock clock;
    private final OptionalLong bodyLength;

    public DkimSigner(DkimSigningKey key, Canonicalization headerCanon, Canonicalization bodyCanon, Clock clock) {
        this(key, headerCanon, bodyCanon, clock, OptionalLong.empty());
    }

    /** Relaxed/relaxed. */
    public DkimSigner(DkimSigningKey key, Clock clock) {
        this(key, Canonicalization.RELAXED, Canonicalization.RELAXED, clock);
    }

    /** With l=: only for tests that need a partial-body signature; Moat itself never signs with l=. */
    DkimSigner(DkimSigningKey key, Canonicalization headerCanon, Canonicalization bodyCanon, Clock clock,
               OptionalLong bodyLength) {
        this.key = Objects.requireNonNull(key, "key");
        this.headerCanon = Objects.requireNonNull(headerCanon, "headerCanon");
        this.bodyCanon = Objects.requireNonNull(bodyCanon, "bodyCanon");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.bodyLength = bodyLength;
    }

    /**
     * Starts signing a message.
     *
     * @param headerSection the header fields, CRLF line ends, with or without the empty line
     *                      that ends them; at most 1 MiB and 1000 fields
     * @throws IllegalArgumentException when the header section is over those limits or has no From
     */
    public DkimSigning begin(byte[] headerSection) {
        return new DkimSigning(key, headerCanon, bodyCanon, clock.instant().getEpochSecond(), bodyLength,
                headerSection);
    }

    /** Signs a whole message held in memory; answers the field to prepend. */
    public String sign(byte[] message) {
        int split = MessageSplit.bodyStart(message);
        DkimSigning s = begin(Arrays.copyOf(message, split));
        s.update(message, split, message.length - split);
        return s.finish();
    }
}
