package moat.protocol.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SaslDecoderTest {
    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plainWithAndWithoutAuthzid() {
        assertThat(SaslDecoder.plain(b64("\0bob@example.org\0s3cret"))).get()
                .satisfies(c -> {
                    assertThat(c.username()).isEqualTo("bob@example.org");
                    assertThat(new String(c.password())).isEqualTo("s3cret");
                });
        assertThat(SaslDecoder.plain(b64("bob@example.org\0bob@example.org\0pw"))).isPresent();
    }

    @Test
    void refusesProxyAuthorisationAndMalformedMessages() {
        assertThat(SaslDecoder.plain(b64("alice@example.org\0bob@example.org\0pw"))).isEmpty();
        assertThat(SaslDecoder.plain(b64("bob\0pw"))).isEmpty();
        assertThat(SaslDecoder.plain(b64("\0bob\0"))).isEmpty();
        assertThat(SaslDecoder.plain(b64("\0bob\0pw\0extra"))).isEmpty();
        assertThat(SaslDecoder.plain("!!notbase64")).isEmpty();
    }

    @Test
    void wipesPassword() {
        Credentials c = SaslDecoder.plain(b64("\0bob\0pw")).orElseThrow();
        c.wipe();
        assertThat(c.password()).containsOnly('\0');
    }
}
