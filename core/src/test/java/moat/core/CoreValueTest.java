package moat.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CoreValueTest {
    @Test
    void domainNormalisesAndRefusesBadNames() {
        assertThat(Domain.of("Example.ORG").ascii()).isEqualTo("example.org");
        assertThat(Domain.parse("example.org.")).isEmpty();
        assertThat(Domain.parse("a_b.example")).isEmpty();
        assertThat(Domain.parse("x".repeat(64) + ".example")).isEmpty();
        assertThat(Domain.of("mail.example.org").isWithin(Domain.of("example.org"))).isTrue();
        assertThat(Domain.of("badexample.org").isWithin(Domain.of("example.org"))).isFalse();
    }

    @Test
    void ipPrefixMatchesV4V6AndMapped() throws Exception {
        IpPrefix v4 = IpPrefix.parse("192.0.2.0/24");
        assertThat(v4.contains(InetAddress.getByName("192.0.2.77"))).isTrue();
        assertThat(v4.contains(InetAddress.getByName("192.0.3.1"))).isFalse();
        assertThat(v4.contains(InetAddress.getByName("::ffff:192.0.2.5"))).isTrue();
        IpPrefix v6 = IpPrefix.parse("2001:db8::/32");
        assertThat(v6.contains(InetAddress.getByName("2001:db8:1::1"))).isTrue();
        assertThat(v6.contains(InetAddress.getByName("2001:db9::1"))).isFalse();
        assertThat(IpPrefix.parse("10.1.2.3/8")).isEqualTo(IpPrefix.parse("10.0.0.0/8"));
        assertThatThrownBy(() -> IpPrefix.parse("example.org")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void replyWireFormat() {
        assertThat(Reply.of(Reason.RELAY_DENIED).wire()).isEqualTo("554 5.7.1 Relay access denied\r\n");
        assertThat(Reply.plain(250, "host", "PIPELINING").wire()).isEqualTo("250-host\r\n250 PIPELINING\r\n");
        assertThatThrownBy(() -> Reply.of(250, "2.0.0", "a\r\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Reply.of(550, "4.0.0", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reasonCodesAreUniqueAndDocumented() throws Exception {
        assertThat(java.util.Arrays.stream(Reason.values()).map(Reason::id).distinct().count()).isEqualTo(Reason.values().length);
        // docs/reasons.md is generated from the enum; this keeps it current.
        Path doc = Path.of("..", "docs", "reasons.md");
        String expected = Reason.markdown();
        String actual = Files.exists(doc) ? Files.readString(doc) : "";
        if (!actual.equals(expected)) Files.writeString(doc, expected); // regenerate, but still fail: commit it
        assertThat(actual).as("docs/reasons.md was stale and has been regenerated; commit it").isEqualTo(expected);
    }

    @Test
    void eventNamesAreUniqueAndDocumented() throws Exception {
        assertThat(java.util.Arrays.stream(Event.values()).map(Event::id).distinct().count()).isEqualTo(Event.values().length);
        for (Event e : Event.values()) {
            assertThat(e.id()).as(e.name()).matches("[a-z0-9_]+(\\.[a-z0-9_]+)+");
            assertThat(e.fields().stream().map(Event.Field::name).distinct().count()).as(e.id()).isEqualTo(e.fields().size());
            assertThat(e.fields()).as(e.id()).noneMatch(f -> f.name().equals("ts") || f.name().equals("event") || f.name().contains("password"));
        }
        // docs/events.md is generated from the enum, as docs/reasons.md is; this keeps it current.
        Path doc = Path.of("..", "docs", "events.md");
        String expected = Event.markdown();
        String actual = Files.exists(doc) ? Files.readString(doc) : "";
        if (!actual.equals(expected)) Files.writeString(doc, expected); // regenerate, but still fail: commit it
        assertThat(actual).as("docs/events.md was stale and has been regenerated; commit it").isEqualTo(expected);
    }

    @Test
    void eventFieldsAreCheckedAgainstTheCatalogue() {
        assertThat(Event.DELIVERY_CONNECT_FAILED.problems(java.util.List.of("queue_id", "mx", "error"))).isEmpty();
        assertThat(Event.DELIVERY_CONNECT_FAILED.problems(java.util.List.of("queue_id", "mx", "ip", "error"))).isEmpty();
        assertThat(Event.DELIVERY_CONNECT_FAILED.problems(java.util.List.of("queue_id", "error", "password")))
                .containsExactly("delivery.connect_failed: missing field mx", "delivery.connect_failed: field password not in the catalogue");
        assertThat(Event.SMTP_CONNECT.fields().stream().map(Event.Field::name))
                .startsWith("session", "listener", "client_ip", "client_port");
        assertThat(Event.byId("smtp.transaction")).contains(Event.SMTP_TRANSACTION);
    }
}
