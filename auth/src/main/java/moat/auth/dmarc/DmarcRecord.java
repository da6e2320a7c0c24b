package moat.auth.dmarc;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One DMARC policy record (RFC 7489 section 6.3, grammar in 6.4), parsed strictly where the RFC
 * is strict and leniently where it says to be:
 * <ul>
 * <li>{@code v=DMARC1} must be the first tag (section 6.3 "v: ... MUST be the first tag"), spelled
 *     in upper case as the ABNF's %x sequence requires; a text without it is not a DMARC record.</li>
 * <li>{@code p=} is required; a missing or unknown {@code p=} and an unknown {@code sp=} are
 *     reported, and {@link Dmarc} applies section 6.6.3 step 6 to them.</li>
 * <li>Every other syntax error (unknown tag, bad {@code adkim=}, {@code pct=200}, a tag without
 *     "=") is discarded in favour of the default, as section 6.3 says ("syntax errors in the
 *     remainder of the record SHOULD be discarded in favor of default values"). A repeated tag
 *     keeps its first value.</li>
 * </ul>
 *
 * @param policy      p=, empty when absent or not one of none/quarantine/reject
 * @param subdomain   sp=, empty when absent
 * @param badSubdomain sp= is present but not a policy name
 * @param pct         0..100, default 100 (or 0 for a DMARCbis {@code t=y} record without pct=)
 * @param validRua    rua= holds at least one syntactically valid URI (section 6.6.3 step 6)
 */
record DmarcRecord(Optional<DmarcPolicy> policy, Optional<DmarcPolicy> subdomain, boolean badSubdomain,
                   Alignment adkim, Alignment aspf, int pct, boolean validRua) {

    /** TXT texts longer than this are not considered: real records are well under 1 KiB. */
    static final int MAX_LENGTH = 4096;

    private static final Pattern VERSION = Pattern.compile("^[vV][ \\t]*=[ \\t]*DMARC1[ \\t]*(;.*)?$", Pattern.DOTALL);
    private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]*");
    private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[^\\s!,]+(![0-9]+[kmgtKMGT]?)?");

    /** True when {@code text} starts with the DMARC1 version tag (section 6.6.3 step 3). */
    static boolean isDmarc(String text) {
        return text.length() <= MAX_LENGTH && VERSION.matcher(text.stripLeading()).matches();
    }

    /** Parses a text for which {@link #isDmarc} is true. */
    static DmarcRecord parse(String text) {
        Map<String, String> tags = new HashMap<>();
        String[] parts = text.split(";", -1);
        for (int i = 1; i < parts.length; i++) { // parts[0] is the version tag
            String part = parts[i].strip();
            int eq = part.indexOf('=');
            if (eq <= 0) continue; // empty or malformed: discarded (section 6.3)
            String name = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (!TAG_NAME.matcher(name).matches()) continue;
            tags.putIfAbsent(name, part.substring(eq + 1).strip());
        }
        Optional<DmarcPolicy> p = Optional.ofNullable(tags.get("p")).flatMap(DmarcRecord::policyOf);
        Optional<String> spText = Optional.ofNullable(tags.get("sp"));
        Optional<DmarcPolicy> sp = spText.flatMap(DmarcRecord::policyOf);
        Alignment adkim = alignmentOf(tags.get("adkim"));
        Alignment aspf = alignmentOf(tags.get("aspf"));
        // DMARCbis replaces pct= with t=y ("testing"), which means what pct=0 meant; pct= still wins.
        int defaultPct = "y".equalsIgnoreCase(tags.getOrDefault("t", "")) ? 0 : 100;
        int pct = pctOf(tags.get("pct"), defaultPct);
        boolean rua = Optional.ofNullable(tags.get("rua")).map(DmarcRecord::hasValidUri).orElse(false);
        return new DmarcRecord(p, sp, spText.isPresent() && sp.isEmpty(), adkim, aspf, pct, rua);
    }

    private static Optional<DmarcPolicy> policyOf(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "none" -> Optional.of(DmarcPolicy.NONE);
            case "quarantine" -> Optional.of(DmarcPolicy.QUARANTINE);
            case "reject" -> Optional.of(DmarcPolicy.REJECT);
            default -> Optional.empty();
        };
    }

    private static Alignment alignmentOf(String v) {
        if (v == null) return Alignment.RELAXED;
        return v.equalsIgnoreCase("s") ? Alignment.STRICT : Alignment.RELAXED; // bad values: the default r
    }

    private static int pctOf(String v, int dflt) {
        if (v == null || v.isEmpty() || v.length() > 3 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) return dflt;
        int n = Integer.parseInt(v);
        return n > 100 ? dflt : n;
    }

    private static boolean hasValidUri(String rua) {
        for (String u : rua.split(",", -1)) {
            if (URI.matcher(u.strip()).matches()) return true;
        }
        return false;
    }
}
