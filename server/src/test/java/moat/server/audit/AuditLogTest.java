package moat.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import moat.core.Event;
import moat.core.EventSink;
import moat.core.Reason;
import moat.core.Reply;
import moat.protocol.smtp.SessionInfo;
import moat.protocol.smtp.SmtpHandler.AuditEvent;
import org.junit.jupiter.api.Test;

/** The audit log is one sink of the event stream; its lines keep the names and fields they had. */
class AuditLogTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-08T01:02:03.456789Z"), ZoneOffset.UTC);
    private static final SessionInfo SESSION = new SessionInfo("Mx1", SessionInfo.Listener.MX,
            new InetSocketAddress("192.0.2.7", 40000), Optional.of("mx.example\r\n{\"event\":\"forged\"}"),
            Optional.empty(), Optional.empty());

    private record Seen(Instant at, Event event, Map<String, Object> fields) {}

    @Test
    void writesTheSameJsonLineAsBeforeAndHandsTheEventToEverySink() throws Exception {
        StringWriter file = new StringWriter();
        List<Seen> metrics = new ArrayList<>();
        EventSink second = (at, e, f) -> metrics.add(new Seen(at, e, f));
        try (AuditLog log = new AuditLog(CLOCK, List.of(new JsonLinesSink(file), second))) {
            log.event(SESSION, new AuditEvent.Refused("MAIL", Reply.of(Reason.RELAY_DENIED)));
            log.event(Event.DELIVERY_RECOVERED, Map.of("rows", 3));
        }
        assertThat(file.toString()).isEqualTo(
                "{\"ts\":\"2026-12-08T01:02:03.456Z\",\"event\":\"smtp.rejected\",\"session\":\"Mx1\",\"listener\":\"mx\","
                        + "\"client_ip\":\"192.0.2.7\",\"client_port\":40000,"
                        + "\"helo\":\"mx.example\\r\\n{\\\"event\\\":\\\"forged\\\"}\",\"command\":\"MAIL\",\"code\":554,"
                        + "\"status\":\"5.7.1\",\"reason\":\"relay.denied\"}\n"
                        + "{\"ts\":\"2026-12-08T01:02:03.456Z\",\"event\":\"delivery.recovered\",\"rows\":3}\n");
        assertThat(metrics).extracting(Seen::event).containsExactly(Event.SMTP_REJECTED, Event.DELIVERY_RECOVERED);
        assertThat(metrics.getFirst().at()).isEqualTo(Instant.parse("2026-12-08T01:02:03.456Z"));
        assertThat(metrics.getFirst().fields()).containsEntry("reason", "relay.denied");
    }

    @Test
    void anEventOffTheCatalogueIsStillWrittenButFailsUnderAssertions() {
        StringWriter file = new StringWriter();
        AuditLog log = new AuditLog(file, CLOCK);
        assertThatThrownBy(() -> log.event(Event.DELIVERY_RECOVERED, Map.of("rows", 3, "password", "x")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("password not in the catalogue");
        assertThat(file.toString()).contains("\"event\":\"delivery.recovered\"");
    }
}
