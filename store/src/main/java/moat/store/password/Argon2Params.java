package moat.store.password;

/**
 * Argon2id cost parameters (RFC 9106 section 3.1). The defaults are the OWASP Password Storage
 * Cheat Sheet's first Argon2id line: 19 MiB of memory, 2 passes, 1 lane.
 *
 * <p>Bounds: memory must be at least {@code 8 * parallelism} KiB (RFC 9106 section 3.1) and is
 * capped at 4 GiB so a stored hash cannot make a login allocate without limit.
 */
public record Argon2Params(int memoryKiB, int iterations, int parallelism) {
    public static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;
    public static final int MAX_ITERATIONS = 64;
    public static final int MAX_PARALLELISM = 16;

    public Argon2Params {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM)
            throw new IllegalArgumentException("parallelism out of range 1.." + MAX_PARALLELISM + ": " + parallelism);
        if (iterations < 1 || iterations > MAX_ITERATIONS)
            throw new IllegalArgumentException("iterations out of range 1.." + MAX_ITERATIONS + ": " + iterations);
        if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB)
            throw new IllegalArgumentException("memory out of range " + 8 * parallelism + ".." + MAX_MEMORY_KIB + " KiB: " + memoryKiB);
    }

    /** m=19456 KiB, t=2, p=1. */
    public static Argon2Params defaults() {
        return new Argon2Params(19456, 2, 1);
    }
}
