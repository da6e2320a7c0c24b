package moat.protocol.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import org.junit.jupiter.api.Test;

/** The state machine alone, with an in-memory maildrop: no sockets. */
class Pop3SessionTest {
    final List<Maildrop.Entry> deleted = new ArrayList<>();
    final List<Pop3Handler.AuditEvent> events = new ArrayList<>();
    boolean released;

    final Maildrop drop = new Maildrop() {
        @Override public List<Entry> entries() {
            return List.of(new Entry(7, 10, "5.7"), new Entry(9, 20, "5.9"));
        }
        @Override public InputStream open(Entry e) {
            return new ByteArrayInputStream("A: b\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        @Override public void delete(Collection<Entry> entries) {
            deleted.addAll(entries);
        }
        @Override public void release() {
            released = true;
        }
    };

    final Pop3Handler handler = new Pop3Handler() {
        @Override public AuthResult authenticate(SessionInfo s, String user, char[] pw, String mech) {
            return new String(pw).equals("secret") ? new AuthResult.Success(EmailAddress.of(user)) : new AuthResult.Failure();
        }
        @Override public MaildropResult openMaildrop(SessionInfo s, EmailAddress user) {
            return new MaildropResult.Opened(drop);
        }
        @Override public void audit(SessionInfo s, AuditEvent e) {
            events.add(e);
        }
    };

    Pop3Session session(boolean tls) {
        return new Pop3Session(new Pop3Session.Config("mx.example", new Pop3Limits(512, 3, 20, Duration.ofMinutes(10),
                Duration.ofHours(1)), tls), handler, "s1", new InetSocketAddress("127.0.0.1", 5000),
                tls ? Optional.of(new Pop3Handler.TlsInfo("TLSv1.3", "X")) : Optional.empty());
    }

    static String line(Pop3Session s, String cmd) {
        byte[] b = cmd.getBytes(StandardCharsets.UTF_8);
        return switch (s.onLine(b, b.length)) {
            case Action.Send x -> x.response().statusLine();
            case Action.Close x -> "CLOSE " + x.response().statusLine();
            case Action.StartTls x -> "TLS " + x.response().statusLine();
            case Action.Continue x -> "+ " + x.challenge();
            case Action.SendMessage x -> "MSG " + x.response().statusLine();
        };
    }

    @Test
    void greetsWithTheHostOnly() {
        assertThat(session(false).greeting().statusLine()).isEqualTo("+OK mx.example POP3 ready");
    }

    @Test
    void stlsForgetsUserAndDemandsTlsBeforeAnyCredential() {
        Pop3Session s = session(false);
        assertThat(line(s, "USER a@example.org")).isEqualTo("-ERR [AUTH] TLS required: use STLS first");
        assertThat(line(s, "STLS")).isEqualTo("TLS +OK Begin TLS negotiation");
        s.tlsStarted(new Pop3Handler.TlsInfo("TLSv1.3", "X"));
        assertThat(line(s, "PASS secret")).isEqualTo("-ERR Send USER first");
    }

    @Test
    void deletesMarkedMessagesOnlyAtQuit() {
        Pop3Session s = session(true);
        line(s, "USER a@example.org");
        assertThat(line(s, "PASS secret")).isEqualTo("+OK Maildrop has 2 messages (30 octets)");
        assertThat(line(s, "DELE 2")).isEqualTo("+OK Message 2 deleted");
        assertThat(line(s, "RETR 2")).isEqualTo("-ERR Message 2 already deleted");
        assertThat(line(s, "TOP 1 0")).isEqualTo("MSG +OK Top of message follows");
        assertThat(deleted).isEmpty();
        assertThat(line(s, "QUIT")).isEqualTo("CLOSE +OK mx.example signing off (1 messages left)");
        assertThat(deleted).extracting(Maildrop.Entry::uid).containsExactly(9L);
        assertThat(released).isTrue();
        s.connectionLost("after quit"); // idempotent, deletes nothing more
        assertThat(deleted).hasSize(1);
    }

    @Test
    void aLostConnectionDeletesNothingAndReleasesTheLock() {
        Pop3Session s = session(true);
        line(s, "USER a@example.org");
        line(s, "PASS secret");
        line(s, "DELE 1");
        s.connectionLost("io");
        assertThat(deleted).isEmpty();
        assertThat(released).isTrue();
        assertThat(events).last().isEqualTo(new Pop3Handler.AuditEvent.Disconnected("io", 0, 1));
    }

    @Test
    void closesAfterTheThirdFailedLogin() {
        Pop3Session s = session(true);
        for (int i = 0; i < 2; i++) {
            line(s, "USER a@example.org");
            assertThat(line(s, "PASS nope")).isEqualTo("-ERR [AUTH] Authentication failed");
        }
        line(s, "USER a@example.org");
        assertThat(line(s, "PASS nope")).isEqualTo("CLOSE -ERR [AUTH] Too many failed logins; closing");
    }

    @Test
    void parsesNumbersStrictly() {
        Pop3Session s = session(true);
        line(s, "USER a@example.org");
        line(s, "PASS secret");
        assertThat(line(s, "RETR 999999999999")).isEqualTo("-ERR No such message");
        assertThat(line(s, "RETR 0")).isEqualTo("-ERR No such message");
        assertThat(line(s, "TOP -1 x")).startsWith("-ERR Syntax");
        assertThat(line(s, "DELE 1 2")).startsWith("-ERR Syntax");
        assertThat(line(s, "LIST 00002")).isEqualTo("+OK 2 20");
    }
}
