package moat.auth.arc;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import moat.auth.dkim.DkimSyntaxException;
import moat.auth.dkim.HeaderField;
import moat.auth.dkim.TagList;

/**
 * The ARC sets of a message, collected and checked for structure (RFC 8617 section 4.1 and
 * section 5.2 steps 1 to 3) before any cryptography or DNS.
 */
final class ArcChain {
    /** Section 4.2.1: "The maximum value of the instance is 50". */
    static final int MAX_INSTANCES = 50;

    static final String SEAL = "arc-seal";
    static final String MESSAGE_SIGNATURE = "arc-message-signature";
    static final String AUTHENTICATION_RESULTS = "arc-authentication-results";

    /** Section 4.1.1: an AAR begins with "i=" instance ";" (CFWS allowed around the parts). */
    private static final Pattern AAR_INSTANCE = Pattern.compile("^[ \\t\\r\\n]*i[ \\t\\r\\n]*=[ \\t\\r\\n]*([0-9]{1,3})[ \\t\\r\\n]*;");

    private ArcChain() {}

    /**
     * One ARC set: its three fields and the parsed tag lists of the AMS and the AS.
     *
     * @param instance 1..50
     */
    record ArcSet(int instance, HeaderField results, HeaderField signature, TagList signatureTags,
                  HeaderField seal, TagList sealTags) {}

    sealed interface Parsed {
        /** No ARC header field at all: cv=none. */
        record Empty() implements Parsed {}

        /** Sets 1..N, complete and in instance order. */
        record Chain(List<ArcSet> sets) implements Parsed {}

        /** A structural error: cv=fail. {@code instances} is the highest instance seen, 0 if none. */
        record Broken(String why, int instances) implements Parsed {}
    }

    static Parsed parse(List<HeaderField> fields) {
        HeaderField[] aar = new HeaderField[MAX_INSTANCES + 1];
        HeaderField[] ams = new HeaderField[MAX_INSTANCES + 1];
        HeaderField[] as = new HeaderField[MAX_INSTANCES + 1];
        TagList[] amsTags = new TagList[MAX_INSTANCES + 1];
        TagList[] asTags = new TagList[MAX_INSTANCES + 1];
        int highest = 0;
        boolean any = false;
        for (HeaderField f : fields) {
            String key = f.key();
            boolean isAar = key.equals(AUTHENTICATION_RESULTS);
            boolean isAms = key.equals(MESSAGE_SIGNATURE);
            boolean isAs = key.equals(SEAL);
            if (!isAar && !isAms && !isAs) continue;
            any = true;
            int i;
            TagList tags = null;
            if (isAar) {
                Matcher m = AAR_INSTANCE.matcher(f.value());
                if (!m.find()) return new Parsed.Broken("ARC-Authentication-Results without a leading i=", highest);
                i = Integer.parseInt(m.group(1));
            } else {
                try {
                    tags = TagList.parse(f.value());
                } catch (DkimSyntaxException e) {
                    return new Parsed.Broken("malformed " + f.name() + ": " + e.getMessage(), highest);
                }
                String v = tags.get("i").orElse("");
                if (v.isEmpty() || v.length() > 3 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return new Parsed.Broken(f.name() + " has no valid i=", highest);
                }
                i = Integer.parseInt(v);
            }
            if (i < 1 || i > MAX_INSTANCES) return new Parsed.Broken("instance i=" + i + " outside 1.." + MAX_INSTANCES, highest);
            highest = Math.max(highest, i);
            HeaderField[] slot = isAar ? aar : isAms ? ams : as;
            // Section 5.2 step 3 (via 4.2.1): exactly one field of each kind per instance.
            if (slot[i] != null) return new Parsed.Broken("two " + f.name() + " fields with i=" + i, highest);
            slot[i] = f;
            if (isAms) amsTags[i] = tags;
            if (isAs) asTags[i] = tags;
        }
        if (!any) return new Parsed.Empty();
        List<ArcSet> sets = new ArrayList<>(highest);
        for (int i = 1; i <= highest; i++) {
            if (aar[i] == null || ams[i] == null || as[i] == null) {
                return new Parsed.Broken("ARC set i=" + i + " is incomplete", highest);
            }
            sets.add(new ArcSet(i, aar[i], ams[i], amsTags[i], as[i], asTags[i]));
        }
        return new Parsed.Chain(List.copyOf(sets));
    }
}
