package moat.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressTest {
    @ParameterizedTest
    @ValueSource(strings = {"user@example.org", "first.last+tag@sub.example.org", "\"quoted user\"@example.org",
            "user%other@example.org", "bang!path@example.org", "δοκιμή@παράδειγμα.δοκιμή", "x@localhost"})
    void acceptsRfc5321Mailboxes(String s) {
        assertThat(EmailAddress.parse(s)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "user", "@example.org", "user@", "user@example.org.", "user@[192.0.2.1]",
            ".user@example.org", "user.@example.org", "us..er@example.org", "us er@example.org", "user@exa mple.org",
            "user@-example.org", "user@example..org", "\"unterminated@example.org", "a@b@example.org",
            "user@example.org\r\nRCPT TO:<x@y>", "user(comment)@example.org", "<user@example.org>"})
    void refusesEverythingElse(String s) {
        assertThat(EmailAddress.parse(s)).isEmpty();
    }

    @Test
    void quotedLocalPartHoldingAtStaysALocalPart() {
        EmailAddress a = EmailAddress.parse("\"victim@remote.example\"@example.org").orElseThrow();
        assertThat(a.domain()).isEqualTo(Domain.of("example.org"));
        assertThat(a.localPart()).isEqualTo("victim@remote.example");
        assertThat(a.toString()).isEqualTo("\"victim@remote.example\"@example.org");
    }

    @Test
    void keyFoldsCaseAndIdn() {
        assertThat(EmailAddress.of("Bob@Example.ORG").key()).isEqualTo("bob@example.org");
        assertThat(EmailAddress.of("a@bücher.example").domain().ascii()).isEqualTo("a@xn--bcher-kva.example".substring(2));
    }

    @Test
    void boundsLocalPartLength() {
        assertThat(EmailAddress.parse("a".repeat(64) + "@example.org")).isPresent();
        assertThat(EmailAddress.parse("a".repeat(65) + "@example.org")).isEmpty();
    }
}
