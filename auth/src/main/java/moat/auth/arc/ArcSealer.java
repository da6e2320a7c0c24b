package moat.auth.arc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import moat.auth.arc.ArcChain.ArcSet;
import moat.auth.dkim.BodyHasher;
import moat.auth.dkim.Canonicalization;
import moat.auth.dkim.DkimSyntaxException;
import moat.auth.dkim.HeaderField;
import moat.auth.dkim.HeaderHash;
import moat.auth.dkim.MessageSplit;

/**
 * Adds this host's ARC set to a message (RFC 8617 section 5.1): an ARC-Authentication-Results
 * copying our Authentication-Results, an ARC-Message-Signature over the body and the chosen
 * header fields (relaxed/relaxed), and an ARC-Seal over the chain with the cv= that
 * {@link ArcVerifier} found. Thread-safe.
 */
public final class ArcSealer {
    static final int WIDTH = 76;

    /** Fields an AMS signs by default: those a reader sees and a list manager rarely rewrites. */
    public static final List<String> DEFAULT_SIGNED = List.of("from", "to", "cc", "subject", "date", "message-id",
            "reply-to", "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding",
            "dkim-signature");

    private final ArcSealingKey key;
    private final List<String> signedHeaders;
    private final Clock clock;

    public ArcSealer(ArcSealingKey key, List<String> signedHeaders, Clock clock) {
        this.key = Objects.requireNonNull(key, "key");
        this.signedHeaders = List.copyOf(signedHeaders);
        this.clock = Objects.requireNonNull(clock, "clock");
        for (String h : this.signedHeaders) {
            if (h.isEmpty() || !h.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')
                    || h.equalsIgnoreCase(ArcChain.SEAL)) {
                throw new IllegalArgumentException("cannot sign header field '" + h + "'");
            }
        }
    }

    /**
     * The three fields to put on top of the message (ARC-Seal, ARC-Message-Signature,
     * ARC-Authentication-Results, each ending with CRLF), or empty when no set may be added:
     * the newest seal already says cv=fail (section 5.1.2: a failed chain is not extended), the
     * chain holds 50 sets, or the header section cannot be read.
     *
     * @param message    the message as it will be relayed (CRLF)
     * @param authservId our authserv-id
     * @param results    our results, the resinfo part of our Authentication-Results without the
     *                   authserv-id ("spf=pass smtp.mailfrom=...; dkim=..."), or empty for none
     * @param chain      what {@link ArcVerifier#verify} said about this same message
     */
    public Optional<String> seal(byte[] message, String authservId, String results, ArcResult chain) {
        int bodyStart = MessageSplit.bodyStart(message);
        List<HeaderField> fields;
        try {
            fields = HeaderField.parse(Arrays.copyOf(message, bodyStart), ArcVerifier.MAX_HEADER_BYTES,
                    ArcVerifier.MAX_HEADER_FIELDS);
        } catch (DkimSyntaxException e) {
            return Optional.empty();
        }
        List<ArcSet> sets = List.of();
        int highest = 0;
        switch (ArcChain.parse(fields)) {
            case ArcChain.Parsed.Empty e -> { }
            case ArcChain.Parsed.Broken b -> highest = b.instances();
            case ArcChain.Parsed.Chain c -> {
                sets = c.sets();
                highest = sets.size();
                if (sets.getLast().sealTags().get("cv").orElse("").equals("fail")) return Optional.empty();
            }
        }
        if (highest >= ArcChain.MAX_INSTANCES) return Optional.empty();
        int i = highest + 1;
        String cv = highest == 0 ? "none" : chain.cv() == ArcResult.Code.PASS ? "pass" : "fail";
        long t = clock.instant().getEpochSecond();
        Canonicalization relaxed = Canonicalization.RELAXED;

        // Our own results, but unfolded and kept to printable text: they become a signed field.
        String resinfo = results.replaceAll("\\r\\n[ \\t]", " ").replaceAll("[^\\x20-\\x7e]", " ").strip();
        if (resinfo.isEmpty()) resinfo = "none";
        String id = authservId.replaceAll("[^\\x21-\\x7e]", "");
        String aar = fold("ARC-Authentication-Results:", List.of("i=" + i + ";", id + ";"),
                resinfo.split("(?<=;)\\s*"));

        BodyHasher body = new BodyHasher(relaxed, "SHA-256", OptionalLong.empty());
        body.update(message, bodyStart, message.length - bodyStart);
        String bh = Base64.getEncoder().encodeToString(body.finish().hash());
        List<String> amsTags = List.of("a=" + key.algorithm() + ";", "b=;", "bh=" + bh + ";", "c=relaxed/relaxed;",
                "d=" + key.domain() + ";", "h=" + String.join(":", signedHeaders) + ";", "i=" + i + ";",
                "s=" + key.selector() + ";", "t=" + t);
        List<HeaderField> withAar = new ArrayList<>(fields.size() + 1);
        withAar.add(new HeaderField("ARC-Authentication-Results", aar));
        withAar.addAll(fields);
        String amsUnsigned = "ARC-Message-Signature: " + String.join(" ", amsTags);
        byte[] amsData = HeaderHash.data(withAar, signedHeaders, relaxed, "ARC-Message-Signature", amsUnsigned);
        String ams = signed("ARC-Message-Signature:", amsTags, sign(amsData));

        List<String> asTags = List.of("a=" + key.algorithm() + ";", "b=;", "cv=" + cv + ";", "d=" + key.domain() + ";",
                "i=" + i + ";", "s=" + key.selector() + ";", "t=" + t);
        StringBuilder sealed = new StringBuilder(4096);
        // Section 5.1.1: the seal covers every set in instance order; a failed chain is sealed
        // over our own set only (section 5.1.2), since the earlier ones cannot be trusted in order.
        if (cv.equals("pass")) {
            for (ArcSet s : sets) {
                sealed.append(relaxed.header(s.results())).append(relaxed.header(s.signature()))
                        .append(relaxed.header(s.seal()));
            }
        }
        sealed.append(relaxed.header("ARC-Authentication-Results", aar)).append("\r\n");
        sealed.append(relaxed.header("ARC-Message-Signature", ams)).append("\r\n");
        sealed.append(relaxed.header("ARC-Seal", "ARC-Seal: " + String.join(" ", asTags)));
        String as = signed("ARC-Seal:", asTags, sign(sealed.toString().getBytes(StandardCharsets.ISO_8859_1)));
        return Optional.of(as + "\r\n" + ams + "\r\n" + aar + "\r\n");
    }

    private byte[] sign(byte[] data) {
        try {
            if (key.algorithm().equals("rsa-sha256")) {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initSign(key.key());
                s.update(data);
                return s.sign();
            }
            Signature s = Signature.getInstance("Ed25519"); // RFC 8463 section 3
            s.initSign(key.key());
            s.update(MessageDigest.getInstance("SHA-256").digest(data));
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ARC signing failed for d=" + key.domain(), e);
        }
    }

    /** The field with its b= filled in, folded between tags. */
    private static String signed(String name, List<String> tags, byte[] signature) {
        List<String> words = new ArrayList<>(tags.size());
        for (String t : tags) words.add(t.equals("b=;") ? "b=" + Base64.getEncoder().encodeToString(signature) + ";" : t);
        return fold(name, words, new String[0]);
    }

    /** Words separated by single spaces, a new line (CRLF TAB) before a word that would pass WIDTH. */
    private static String fold(String name, List<String> first, String[] rest) {
        List<String> words = new ArrayList<>(first);
        words.addAll(Arrays.asList(rest));
        StringBuilder sb = new StringBuilder(name);
        int col = name.length();
        for (String w : words) {
            if (w.isEmpty()) continue;
            if (col + 1 + w.length() <= WIDTH) {
                sb.append(' ').append(w);
                col += 1 + w.length();
                continue;
            }
            // A word longer than the line (only b=) is not broken: the ARC-Seal hashes the AMS
            // with its whitespace (relaxed keeps interior spaces), and an unbroken b= is what
            // other sealers produce and the signing suite expects. 998 octets are never reached.
            sb.append("\r\n\t").append(w);
            col = 8 + w.length();
        }
        return sb.toString();
    }
}
