package moat.store.sqlite;

import moat.store.password.Argon2Params;

/**
 * Settings of the embedded store.
 *
 * @param argon2        cost of new password hashes ({@code store.argon2.*}); default OWASP m=19456,t=2,p=1
 * @param maxAliasDepth how many alias hops {@code resolve} follows ({@code store.max_alias_depth}); 1..64, default 8
 * @param maxBatch      most commits one group-commit round carries ({@code store.max_batch}); 1..10000, default 256
 */
public record StoreSettings(Argon2Params argon2, int maxAliasDepth, int maxBatch) {
    public StoreSettings {
        if (argon2 == null) throw new IllegalArgumentException("argon2 parameters required");
        if (maxAliasDepth < 1 || maxAliasDepth > 64) throw new IllegalArgumentException("max_alias_depth out of range 1..64");
        if (maxBatch < 1 || maxBatch > 10_000) throw new IllegalArgumentException("max_batch out of range 1..10000");
    }

    public static StoreSettings defaults() {
        return new StoreSettings(Argon2Params.defaults(), 8, 256);
    }
}
