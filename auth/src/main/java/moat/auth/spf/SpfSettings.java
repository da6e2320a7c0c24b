package moat.auth.spf;

/**
 * Limits and names for SPF evaluation. Config keys are {@code spf.*}; the defaults are the
 * RFC 7208 section 4.6.4 limits, which exist to stop one message from turning a receiver into a
 * DNS amplifier (section 11.1). Raising them weakens that protection.
 *
 * @param maxDnsTerms        {@code spf.max_dns_terms}, default 10, bounds 1..10: include, a, mx,
 *                           ptr, exists and redirect across the whole evaluation
 * @param maxVoidLookups     {@code spf.max_void_lookups}, default 2, bounds 0..10: NXDOMAIN/NODATA
 *                           answers before permerror
 * @param maxMxNames         {@code spf.max_mx_names}, default 10, bounds 1..10: MX hosts one "mx"
 *                           term may resolve
 * @param maxPtrNames        {@code spf.max_ptr_names}, default 10, bounds 1..10: PTR names one
 *                           "ptr" term or %{p} may validate
 * @param receiver           {@code spf.receiver}: the host name %{r} expands to in explanations
 * @param defaultExplanation {@code spf.default_explanation}: the explanation of a fail without a
 *                           usable exp= modifier
 */
public record SpfSettings(int maxDnsTerms, int maxVoidLookups, int maxMxNames, int maxPtrNames,
                          String receiver, String defaultExplanation) {
    public SpfSettings {
        bound("spf.max_dns_terms", maxDnsTerms, 1, 10);
        bound("spf.max_void_lookups", maxVoidLookups, 0, 10);
        bound("spf.max_mx_names", maxMxNames, 1, 10);
        bound("spf.max_ptr_names", maxPtrNames, 1, 10);
        if (receiver == null || receiver.isBlank()) throw new IllegalArgumentException("spf.receiver must be a host name");
        if (defaultExplanation == null) throw new IllegalArgumentException("spf.default_explanation must be set");
    }

    /** The RFC 7208 limits; %{r} is "unknown" as section 7.3 allows when no name is configured. */
    public static SpfSettings defaults() {
        return new SpfSettings(10, 2, 10, 10, "unknown", "SPF fail - not authorized");
    }

    public SpfSettings withReceiver(String host) {
        return new SpfSettings(maxDnsTerms, maxVoidLookups, maxMxNames, maxPtrNames, host, defaultExplanation);
    }

    public SpfSettings withDefaultExplanation(String text) {
        return new SpfSettings(maxDnsTerms, maxVoidLookups, maxMxNames, maxPtrNames, receiver, text);
    }

    private static void bound(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be within " + min + ".." + max + ", got " + value);
        }
    }
}
