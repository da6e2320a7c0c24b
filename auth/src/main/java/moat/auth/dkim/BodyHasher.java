package moat.auth.dkim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.OptionalLong;

/**
 * Canonicalises a body (RFC 6376 sections 3.4.3 and 3.4.4) as it streams past and hashes the
 * first {@code l=} octets of the result (section 3.4.5). Holds only a few counters and an 8 KiB
 * buffer, never the body: trailing empty lines and (relaxed) whitespace runs are held back as
 * counts and written only once something follows them.
 *
 * <p>Body octets are read as received on the wire: CRLF ends a line; a lone CR or LF is an
 * ordinary octet (Moat refuses bare CR/LF at DATA before DKIM ever sees the body).
 */
public final class BodyHasher {
    private final Canonicalization canon;
    private final MessageDigest digest;
    private final long limit; // octets of canonical body to hash; Long.MAX_VALUE for no l=
    private final byte[] out = new byte[8192];
    private int outLen;

    private long emitted;      // canonical octets produced so far
    private long raw;          // body octets consumed so far
    private long rawAtLimit = -1; // raw octets consumed when the canonical output reached the limit
    private long pendingEmptyLines;
    private boolean atLineStart = true;
    private boolean heldCr;
    private boolean pendingWsp;

    /** The canonical length, how much of it was hashed, and where that ends in the raw body. */
    public record Outcome(byte[] hash, long canonicalLength, long rawLength, long signedRawLength) {}

    public BodyHasher(Canonicalization canon, String digestAlgorithm, OptionalLong limit) {
        this.canon = canon;
        this.limit = limit.orElse(Long.MAX_VALUE);
        if (this.limit == 0) rawAtLimit = 0;
        try {
            this.digest = MessageDigest.getInstance(digestAlgorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without " + digestAlgorithm, e);
        }
    }

    public void update(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            int c = b[i] & 0xff;
            if (heldCr) {
                heldCr = false;
                if (c == '\n') {
                    endOfLine();
                    raw++;
                    continue;
                }
                content('\r');
            }
            if (c == '\r') heldCr = true;
            else if (canon == Canonicalization.RELAXED && (c == ' ' || c == '\t')) pendingWsp = true;
            else content(c);
            raw++;
        }
    }

    public Outcome finish() {
        if (heldCr) {
            heldCr = false;
            content('\r');
        }
        // Section 3.4.3: simple adds a CRLF to a body without one and makes an empty body one CRLF;
        // section 3.4.4 (errata 1384 fixed in RFC 6376): relaxed leaves an empty body empty.
        if (!atLineStart) {
            pendingWsp = false;
            emit('\r');
            emit('\n');
        } else if (canon == Canonicalization.SIMPLE && emitted == 0) {
            emit('\r');
            emit('\n');
        }
        flush();
        long signedRaw = rawAtLimit >= 0 ? Math.min(rawAtLimit, raw) : raw;
        return new Outcome(digest.digest(), emitted, raw, signedRaw);
    }

    /** A CRLF: an empty line is held back (it may be trailing), any other line is ended. */
    private void endOfLine() {
        pendingWsp = false; // trailing WSP is deleted (relaxed)
        if (atLineStart) {
            pendingEmptyLines++;
        } else {
            emit('\r');
            emit('\n');
            atLineStart = true;
        }
    }

    private void content(int c) {
        if (atLineStart) {
            for (long k = 0; k < pendingEmptyLines; k++) {
                emit('\r');
                emit('\n');
            }
            pendingEmptyLines = 0;
            atLineStart = false;
        }
        if (pendingWsp) {
            pendingWsp = false;
            emit(' ');
        }
        emit(c);
    }

    private void emit(int c) {
        if (emitted < limit) {
            out[outLen++] = (byte) c;
            if (outLen == out.length) flush();
            if (emitted + 1 == limit) rawAtLimit = raw + 1;
        }
        emitted++;
    }

    private void flush() {
        digest.update(out, 0, outLen);
        outLen = 0;
    }
}
