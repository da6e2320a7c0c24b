package moat.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/** The signing of one message: header fields once, the body streamed, then the field. Not thread-safe. */
public final class DkimSigning {
    /** Folded lines stay below 78 characters (RFC 5322 section 2.1.1). */
    private static final int WIDTH = 76;

    private final DkimSigningKey key;
    private final Canonicalization headerCanon;
    private final Canonicalization bodyCanon;
    private final long timestamp;
    private final OptionalLong bodyLength;
    private final List<HeaderField> fields;
    private final List<String> signed;
    private final BodyHasher body;
    private boolean finished;

    DkimSigning(DkimSigningKey key, Canonicalization headerCanon, Canonicalization bodyCanon, long timestamp,
                OptionalLong bodyLength, byte[] headerSection) {
        this.key = key;
        this.headerCanon = headerCanon;
        this.bodyCanon = bodyCanon;
        this.timestamp = timestamp;
        this.bodyLength = bodyLength;
        try {
            this.fields = HeaderField.parse(headerSection, 1 << 20, 1000);
        } catch (DkimSyntaxException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        this.signed = signedNames(fields);
        this.body = new BodyHasher(bodyCanon, key.algorithm().digest(), bodyLength);
    }

    /** h=: the default set present, List-* present, over-signed names once more (section 8.15). */
    static List<String> signedNames(List<HeaderField> fields) {
        Map<String, Integer> count = new LinkedHashMap<>();
        Map<String, String> spelling = new LinkedHashMap<>();
        for (HeaderField f : fields) {
            count.merge(f.key(), 1, Integer::sum);
            spelling.putIfAbsent(f.key(), f.name());
        }
        if (!count.containsKey("from")) throw new IllegalArgumentException("a message without From cannot be signed");
        List<String> names = new ArrayList<>();
        for (String name : DkimSigner.SIGNED) {
            String k = name.toLowerCase(Locale.ROOT);
            int n = count.getOrDefault(k, 0) + (DkimSigner.OVER_SIGNED.contains(k) ? 1 : 0);
            for (int i = 0; i < n; i++) names.add(name);
        }
        count.forEach((k, n) -> {
            if (k.startsWith("list-")) for (int i = 0; i < n; i++) names.add(spelling.get(k));
        });
        return names;
    }

    public void update(byte[] b, int off, int len) {
        if (finished) throw new IllegalStateException("finish() was called");
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        body.update(b, off, len);
    }

    /** The complete DKIM-Signature field, folded, ending with CRLF, to put above the other fields. */
    public String finish() {
        if (finished) throw new IllegalStateException("finish() was called");
        finished = true;
        String bh = Base64.getEncoder().encodeToString(body.finish().hash());
        Folder f = new Folder("DKIM-Signature:");
        f.word("v=1;");
        f.word("a=" + key.algorithm().token() + ";");
        f.word("c=" + headerCanon.token() + "/" + bodyCanon.token() + ";");
        f.word("d=" + key.domain() + ";");
        f.word("s=" + key.selector() + ";");
        f.word("t=" + timestamp + ";");
        if (bodyLength.isPresent()) f.word("l=" + bodyLength.getAsLong() + ";");
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < signed.size(); i++) pieces.add(signed.get(i) + (i + 1 < signed.size() ? ":" : ";"));
        f.pieces("h=", pieces);
        f.word("bh=" + bh + ";");
        f.word("b=");
        String unsigned = f.text();
        byte[] data = HeaderHash.data(fields, signed, headerCanon, "DKIM-Signature", unsigned);
        f.chars(Base64.getEncoder().encodeToString(sign(data)));
        return f.text() + "\r\n";
    }

    private byte[] sign(byte[] data) {
        try {
            return switch (key.algorithm()) {
                case RSA_SHA256 -> {
                    Signature s = Signature.getInstance("SHA256withRSA");
                    s.initSign(key.key());
                    s.update(data);
                    yield s.sign();
                }
                case ED25519_SHA256 -> {
                    // RFC 8463 section 3: sign the SHA-256 hash of the header data with PureEdDSA.
                    Signature s = Signature.getInstance("Ed25519");
                    s.initSign(key.key());
                    s.update(MessageDigest.getInstance("SHA-256").digest(data));
                    yield s.sign();
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed for d=" + key.domain(), e);
        }
    }

    /** Builds a folded field: words separated by FWS, long values broken with CRLF SP. */
    private static final class Folder {
        private final StringBuilder sb;
        private int col;

        Folder(String start) {
            sb = new StringBuilder(start);
            col = start.length();
        }

        /** A word that is not split: on this line after a space if it fits, else on a new line. */
        void word(String w) {
            if (col + 1 + w.length() > WIDTH) newLine();
            else space();
            sb.append(w);
            col += w.length();
        }

        /** A list whose pieces may be separated by FWS (h=, section 3.5: FWS around ":"). */
        void pieces(String first, List<String> pieces) {
            word(first + pieces.getFirst());
            for (String p : pieces.subList(1, pieces.size())) {
                if (col + p.length() > WIDTH) newLine();
                sb.append(p);
                col += p.length();
            }
        }

        /** Base64 that may be broken anywhere (section 3.5: FWS is allowed in b=). */
        void chars(String s) {
            int i = 0;
            while (i < s.length()) {
                if (col >= WIDTH) newLine();
                int n = Math.min(WIDTH - col, s.length() - i);
                sb.append(s, i, i + n);
                col += n;
                i += n;
            }
        }

        String text() {
            return sb.toString();
        }

        private void space() {
            sb.append(' ');
            col++;
        }

        private void newLine() {
            sb.append("\r\n ");
            col = 1;
        }
    }
}
