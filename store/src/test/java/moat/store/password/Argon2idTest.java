package moat.store.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class Argon2idTest {
    private final Argon2id cheap = new Argon2id(new Argon2Params(1024, 1, 1));

    @Test
    void hashesInPhcFormatWithDefaultParameters() {
        String phc = new Argon2id(Argon2Params.defaults()).hash("correct horse".toCharArray());
        assertThat(phc).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        String[] parts = phc.split("\\$");
        assertThat(Base64.getDecoder().decode(parts[4])).hasSize(Argon2id.SALT_BYTES);
        assertThat(Base64.getDecoder().decode(parts[5])).hasSize(Argon2id.HASH_BYTES);
        assertThat(Argon2id.verify(phc, "correct horse".toCharArray())).isTrue();
    }

    @Test
    void rejectsWrongPassword() {
        String phc = cheap.hash("secret".toCharArray());
        assertThat(Argon2id.verify(phc, "Secret".toCharArray())).isFalse();
        assertThat(Argon2id.verify(phc, "".toCharArray())).isFalse();
    }

    @Test
    void saltsEachHash() {
        assertThat(cheap.hash("same".toCharArray())).isNotEqualTo(cheap.hash("same".toCharArray()));
    }

    @Test
    void verifyReadsParametersFromTheStoredString() {
        String phc = new Argon2id(new Argon2Params(2048, 3, 2)).hash("pw".toCharArray());
        assertThat(phc).contains("$m=2048,t=3,p=2$");
        assertThat(Argon2id.paramsOf(phc)).contains(new Argon2Params(2048, 3, 2));
        assertThat(Argon2id.verify(phc, "pw".toCharArray())).isTrue();
    }

    @Test
    void matchesRfc9106Implementations() {
        // The reference implementation's own vector (phc-winner-argon2 src/test.c):
        // password "password", salt "somesalt", m=65536, t=2, p=1, 32-byte tag.
        String phc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertThat(Argon2id.verify(phc, "password".toCharArray())).isTrue();
        assertThat(Argon2id.verify(phc, "passwore".toCharArray())).isFalse();
    }

    @Test
    void handlesNonAsciiPasswords() {
        String phc = cheap.hash("pässwörd€".toCharArray());
        assertThat(Argon2id.verify(phc, "pässwörd€".toCharArray())).isTrue();
        assertThat(Argon2id.verify(phc, "passwort".toCharArray())).isFalse();
    }

    @Test
    void wipesThePassword() {
        char[] pw = "wipe me".toCharArray();
        String phc = cheap.hash(pw);
        assertThat(pw).containsOnly('\0');
        char[] again = "wipe me".toCharArray();
        assertThat(Argon2id.verify(phc, again)).isTrue();
        assertThat(again).containsOnly('\0');
    }

    @Test
    void refusesMalformedOrAbusiveHashes() {
        assertThat(Argon2id.verify("", "x".toCharArray())).isFalse();
        assertThat(Argon2id.verify("$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2g", "x".toCharArray())).isFalse();
        assertThat(Argon2id.verify("$argon2id$v=19$m=1024,t=1$c29tZXNhbHQ$aGFzaGhhc2g", "x".toCharArray())).isFalse();
        assertThat(Argon2id.verify("$argon2id$v=19$m=99999999,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2g", "x".toCharArray())).isFalse();
        assertThat(Argon2id.verify("$argon2id$v=19$m=1024,t=1,p=1$!!!$aGFzaGhhc2g", "x".toCharArray())).isFalse();
    }

    @Test
    void boundsParameters() {
        assertThatThrownBy(() -> new Argon2Params(7, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Argon2Params(1024, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Argon2Params(1024, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void libsodiumIsFoundWhereItIsInstalled() {
        // Debian's libsodium23 (Dovecot depends on it too); without it logins use the slower Java path
        assertThat(Sodium.available()).as("libsodium missing: apt-get install libsodium23").isTrue();
        assertThat(Argon2id.engine()).isEqualTo("libsodium");
    }

    @Test
    void libsodiumAndTheJavaImplementationDeriveTheSameKeys() {
        byte[] salt = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (String pw : new String[] {"", "pw", "caf\u00e9 \u2603", "x".repeat(300)}) {
            for (Argon2Params p : new Argon2Params[] {new Argon2Params(1024, 1, 1), new Argon2Params(19456, 2, 1),
                    new Argon2Params(4096, 3, 1)}) {
                byte[] bytes = pw.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] fast = Sodium.derive(bytes, salt, p, 32).orElseThrow();
                assertThat(fast).as("%s %s", p, pw.length()).isEqualTo(Argon2id.deriveJava(bytes, salt, p, 32));
            }
        }
        // what libsodium cannot do (several lanes, another salt size) is left to the Java path
        assertThat(Sodium.derive(new byte[1], salt, new Argon2Params(1024, 1, 2), 32)).isEmpty();
        assertThat(Sodium.derive(new byte[1], new byte[8], new Argon2Params(1024, 1, 1), 32)).isEmpty();
        String phc = new Argon2id(new Argon2Params(1024, 1, 2)).hash("lanes".toCharArray());
        assertThat(Argon2id.verify(phc, "lanes".toCharArray())).isTrue();
    }
}
