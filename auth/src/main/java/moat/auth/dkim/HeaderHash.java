package moat.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The header part of the signed data (RFC 6376 section 3.7, step 2). */
public final class HeaderHash {
    private HeaderHash() {}

    /**
     * The canonicalised fields named in {@code signed}, in that order, followed by the signature
     * field itself with an empty b= and no CRLF.
     *
     * <p>Section 5.4.2: for a name listed several times, the first mention takes the last
     * (bottom-most) instance, the next mention the one above it, and so on. A mention beyond the
     * instances present selects nothing: it is the "null input" of section 5.4, so a field added
     * later changes the hash. That is what makes over-signing work.
     */
    public static byte[] data(List<HeaderField> fields, List<String> signed, Canonicalization canon,
                       String sigName, String sigWithoutB) {
        Map<String, List<HeaderField>> byName = new HashMap<>();
        for (HeaderField f : fields) byName.computeIfAbsent(f.key(), k -> new ArrayList<>()).add(f);
        Map<String, Integer> taken = new HashMap<>();
        StringBuilder sb = new StringBuilder(1024);
        for (String name : signed) {
            String key = name.toLowerCase(java.util.Locale.ROOT);
            List<HeaderField> present = byName.getOrDefault(key, List.of());
            int n = taken.merge(key, 1, Integer::sum);
            if (n <= present.size()) sb.append(canon.header(present.get(present.size() - n)));
        }
        sb.append(canon.header(sigName, sigWithoutB));
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
