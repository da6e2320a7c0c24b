package moat.protocol.sasl;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/** Base64 and PLAIN message decoding (RFC 4616 section 2). */
public final class SaslDecoder {
    private SaslDecoder() {}

    /** Decodes a base64 client response; empty when it is not valid base64 or not UTF-8. */
    public static Optional<char[]> base64Utf8(String response) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(response.strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw));
            char[] out = new char[cb.remaining()];
            cb.get(out);
            Arrays.fill(cb.array(), '\0');
            return Optional.of(out);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * PLAIN: {@code [authzid] NUL authcid NUL passwd}. An authzid different from the authcid is
     * refused (no proxy authorisation).
     */
    public static Optional<Credentials> plain(String response) {
        Optional<char[]> decoded = base64Utf8(response);
        if (decoded.isEmpty()) return Optional.empty();
        char[] m = decoded.get();
        try {
            int first = indexOf(m, 0);
            int second = first < 0 ? -1 : indexOf(m, first + 1);
            if (first < 0 || second < 0 || indexOf(m, second + 1) >= 0) return Optional.empty();
            String authzid = new String(m, 0, first);
            String authcid = new String(m, first + 1, second - first - 1);
            char[] pass = Arrays.copyOfRange(m, second + 1, m.length);
            if (authcid.isEmpty() || pass.length == 0 || (!authzid.isEmpty() && !authzid.equals(authcid))) {
                Arrays.fill(pass, '\0');
                return Optional.empty();
            }
            return Optional.of(new Credentials(authcid, pass));
        } finally {
            Arrays.fill(m, '\0');
        }
    }

    private static int indexOf(char[] a, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == '\0') return i;
        return -1;
    }
}
