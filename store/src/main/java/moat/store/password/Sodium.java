package moat.store.password;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

/**
 * Argon2id through libsodium's {@code crypto_pwhash} (Debian package libsodium23, which Dovecot
 * also uses), called with the Java FFM API. libsodium's Argon2 uses SIMD and is 2-3 times faster
 * than the portable Java implementation, and every login pays for one derivation. It gives the
 * same octets as {@link Argon2id}'s Bouncy Castle path (RFC 9106); the tests compare the two.
 *
 * <p>libsodium only takes one lane and a 16-byte salt; other parameters use Bouncy Castle.
 * When the library is not installed, or cannot be called, Moat uses Bouncy Castle for everything.
 *
 * <p>Security notes: the native copies of the password and of the derived key live in a confined
 * arena and are zeroed before it is freed; sizes are checked before the call.
 */
final class Sodium {
    /** crypto_pwhash_ALG_ARGON2ID13. */
    private static final int ALG_ARGON2ID13 = 2;
    private static final int SALT_BYTES = 16; // crypto_pwhash_SALTBYTES
    private static final List<String> NAMES = List.of("libsodium.so.23", "libsodium.so.26", "libsodium.so");

    private static final Optional<MethodHandle> PWHASH = load();

    private Sodium() {}

    static boolean available() {
        return PWHASH.isPresent();
    }

    /** True when libsodium can derive with these parameters (one lane, a 16-byte salt). */
    static boolean supports(Argon2Params params, byte[] salt) {
        return PWHASH.isPresent() && params.parallelism() == 1 && salt.length == SALT_BYTES;
    }

    /** The derived key, or empty when the call failed (the caller then uses Bouncy Castle). */
    static Optional<byte[]> derive(byte[] password, byte[] salt, Argon2Params params, int length) {
        if (!supports(params, salt)) return Optional.empty();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(length);
            MemorySegment pw = arena.allocate(Math.max(1, password.length));
            MemorySegment.copy(password, 0, pw, JAVA_BYTE, 0, password.length);
            MemorySegment s = arena.allocateFrom(JAVA_BYTE, salt);
            try {
                int rc = (int) PWHASH.get().invokeExact(out, (long) length, pw, (long) password.length, s,
                        (long) params.iterations(), (long) params.memoryKiB() * 1024L, ALG_ARGON2ID13);
                if (rc != 0) return Optional.empty(); // out of memory or parameters it refuses
                return Optional.of(out.toArray(JAVA_BYTE));
            } finally {
                pw.fill((byte) 0);
                out.fill((byte) 0);
            }
        } catch (Throwable e) {
            return Optional.empty();
        }
    }

    private static Optional<MethodHandle> load() {
        for (String name : NAMES) {
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup(name, Arena.global());
                Linker linker = Linker.nativeLinker();
                MethodHandle init = linker.downcallHandle(lib.find("sodium_init").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT));
                if ((int) init.invokeExact() < 0) continue; // 0 = initialised now, 1 = already
                // int crypto_pwhash(unsigned char *out, unsigned long long outlen, const char *passwd,
                //     unsigned long long passwdlen, const unsigned char *salt, unsigned long long opslimit,
                //     size_t memlimit, int alg)
                return Optional.of(linker.downcallHandle(lib.find("crypto_pwhash").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG,
                                JAVA_LONG, JAVA_INT)));
            } catch (Throwable e) {
                // not installed under this name, or native access refused: try the next, then Bouncy Castle
            }
        }
        return Optional.empty();
    }
}
