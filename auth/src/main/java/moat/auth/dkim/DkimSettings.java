package moat.auth.dkim;

/**
 * Limits for DKIM verification. Config keys are {@code dkim.*}. Every parser is bounded so that
 * one message cannot make us query DNS or hash without end (RFC 6376 section 8.4).
 *
 * @param maxSignatures   {@code dkim.max_signatures}, default 5, bounds 1..20: DKIM-Signature
 *                        fields evaluated per message (top first); the rest are reported "policy"
 * @param maxHeaderBytes  {@code dkim.max_header_bytes}, default 262144 (256 KiB), bounds
 *                        1024..8388608: a larger header section is not evaluated (permerror)
 * @param maxHeaderFields {@code dkim.max_header_fields}, default 1000, bounds 10..10000
 * @param minRsaBits      {@code dkim.min_rsa_bits}, default 1024, bounds 1024..4096: RFC 8301
 *                        section 3.2 forbids trusting shorter RSA keys
 */
public record DkimSettings(int maxSignatures, int maxHeaderBytes, int maxHeaderFields, int minRsaBits) {
    public DkimSettings {
        bound("dkim.max_signatures", maxSignatures, 1, 20);
        bound("dkim.max_header_bytes", maxHeaderBytes, 1024, 8 << 20);
        bound("dkim.max_header_fields", maxHeaderFields, 10, 10_000);
        bound("dkim.min_rsa_bits", minRsaBits, 1024, 4096);
    }

    public static DkimSettings defaults() {
        return new DkimSettings(5, 256 << 10, 1000, 1024);
    }

    private static void bound(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be within " + min + ".." + max + ", got " + value);
        }
    }
}
