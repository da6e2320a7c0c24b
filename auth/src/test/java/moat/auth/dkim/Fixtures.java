package moat.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;

/** Keys, a sample message and a raw signer that writes any tag list, for negative cases. */
final class Fixtures {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final KeyPair ED = DkimKeys.generateEd25519();
    static final KeyPair RSA = DkimKeys.generateRsa(2048);

    static final String MESSAGE = """
            From: Alice <alice@example.com>\r
            To: Bob <bob@example.net>\r
            Subject: Lunch\r
            Date: Sun, 1 Mar 2026 12:00:00 +0000\r
            Message-ID: <1@example.com>\r
            List-Id: <lunch.example.com>\r
            Received: by relay\r
            \r
            Shall we meet  at noon?  \r
            \r
            -- \r
            Alice\r
            \r
            """;

    private Fixtures() {}

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /**
     * A DKIM-Signature over {@code message}: {@code tags} is written as given, followed by
     * bh= (computed with the c= body method and l=) and b= (signed with {@code key}).
     */
    static String rawSign(String message, String tags, Canonicalization hc, Canonicalization bc, OptionalLong l,
                          List<String> h, PrivateKey key, String jcaAlgorithm) throws Exception {
        byte[] m = bytes(message);
        int split = MessageSplit.bodyStart(m);
        BodyHasher body = new BodyHasher(bc, "SHA-256", l);
        body.update(m, split, m.length - split);
        String unsigned = "DKIM-Signature: " + tags + " bh=" + Base64.getEncoder().encodeToString(body.finish().hash())
                + "; b=";
        byte[] data = HeaderHash.data(HeaderField.parse(Arrays.copyOf(m, split), 1 << 20, 1000), h, hc,
                "DKIM-Signature", unsigned);
        Signature s = Signature.getInstance(jcaAlgorithm);
        s.initSign(key);
        if (jcaAlgorithm.equals("Ed25519")) s.update(MessageDigest.getInstance("SHA-256").digest(data));
        else s.update(data);
        return unsigned + Base64.getEncoder().encodeToString(s.sign()) + "\r\n";
    }
}
