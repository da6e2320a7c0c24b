package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.core.testing.MutableClock;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each limit over real loopback sockets: what the client reads, and that the server hangs up. */
class LimitsSocketTest {
    @TempDir
    Path tmp;

    private static SmtpClient greeted(TestServer s, Listener l, String local) throws Exception {
        SmtpClient c = new SmtpClient("127.0.0.1", s.port(l), local);
        assertThat(c.readLine()).startsWith("220 ");
        return c;
    }

    /** Waits until the server has released closed connections (no timing assertion, just a poll). */
    private static void awaitActive(TestServer s, int n) throws InterruptedException {
        for (int i = 0; i < 500 && s.server().gate().active() > n; i++) Thread.sleep(10);
        assertThat(s.server().gate().active()).isLessThanOrEqualTo(n);
    }

    @Test
    void refusesConnectionsBeyondTheTotal() throws Exception {
        try (TestServer s = TestServer.start(tmp, "limits.max_connections = 2");
             SmtpClient a = greeted(s, Listener.MX, null);
             SmtpClient b = greeted(s, Listener.SUBMISSION, "127.0.0.2")) {
            try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX), "127.0.0.3")) {
                assertThat(c.readLine()).isEqualTo("421 4.7.0 Too many connections, try again later");
                assertThat(c.closedByServer()).isTrue();
            }
            a.cmd("QUIT");
            awaitActive(s, 1);
            try (SmtpClient d = greeted(s, Listener.MX, "127.0.0.3")) {
                assertThat(d.cmd("QUIT")).startsWith("221 ");
            }
        }
    }

    @Test
    void refusesConnectionsBeyondThePerIpLimit() throws Exception {
        try (TestServer s = TestServer.start(tmp, "limits.max_connections_per_ip = 2");
             SmtpClient a = greeted(s, Listener.MX, "127.0.0.1");
             SmtpClient b = greeted(s, Listener.SUBMISSION, "127.0.0.1")) {
            try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX), "127.0.0.1")) {
                assertThat(c.readLine()).isEqualTo("421 4.7.0 Too many connections from your address, try again later");
                assertThat(c.closedByServer()).isTrue();
            }
            try (SmtpClient other = greeted(s, Listener.MX, "127.0.0.2")) {
                assertThat(other.cmd("EHLO other.example")).startsWith("250 ");
            }
            assertThat(s.auditLines()).anyMatch(l -> l.contains("\"event\":\"connection.refused\"")
                    && l.contains("\"reason\":\"limit.connections_per_ip\"") && l.contains("\"client_ip\":\"127.0.0.1\""));
        }
    }

    @Test
    void refusesConnectionsBeyondTheRateUntilTheMinuteIsOver() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (TestServer s = TestServer.start(tmp, clock, "limits.connection_rate = 3")) {
            for (int i = 0; i < 3; i++) {
                try (SmtpClient c = greeted(s, Listener.MX, "127.0.0.5")) {
                    c.cmd("QUIT");
                }
            }
            try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX), "127.0.0.5")) {
                assertThat(c.readLine()).isEqualTo("421 4.7.0 Connection rate limit exceeded, try again later");
            }
            try (SmtpClient other = greeted(s, Listener.MX, "127.0.0.6")) {
                other.cmd("QUIT");
            }
            clock.advance(Duration.ofSeconds(61));
            try (SmtpClient c = greeted(s, Listener.MX, "127.0.0.5")) {
                assertThat(c.cmd("QUIT")).startsWith("221 ");
            }
        }
    }

    @Test
    void refusesAClientThatTalksBeforeTheGreeting() throws Exception {
        try (TestServer s = TestServer.start(tmp, "limits.banner_delay = \"300ms\"");
             SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.send("EHLO early.example\r\n");
            assertThat(c.readLine()).isEqualTo("554 5.7.1 Protocol error: client sent data before the greeting");
            assertThat(c.closedByServer()).isTrue();
            assertThat(s.auditLines()).anyMatch(l -> l.contains("\"reason\":\"limit.pregreet\""));
        }
    }

    @Test
    void holdsTheBannerOnPort25Only() throws Exception {
        try (TestServer s = TestServer.start(tmp, "limits.banner_delay = \"20s\"")) {
            try (Socket mx = new Socket()) {
                mx.connect(new InetSocketAddress("127.0.0.1", s.port(Listener.MX)));
                mx.setSoTimeout(1000);
                // Port 25 says nothing yet: it waits to see whether the client talks first.
                assertThatThrownBy(() -> mx.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            }
            try (SmtpClient sub = new SmtpClient("127.0.0.1", s.port(Listener.SUBMISSION))) {
                // the submission port greets at once (its delay is 0): read well before port 25's 20 s
                assertThat(sub.readLine()).startsWith("220 ");
            }
        }
    }

    @Test
    void dropsASlowDataTransfer() throws Exception {
        try (TestServer s = TestServer.start(tmp, "limits.min_data_rate = 10000", "limits.data_rate_window = \"500ms\"");
             SmtpClient c = greeted(s, Listener.MX, null)) {
            c.cmd("EHLO slow.example");
            assertThat(c.cmd("MAIL FROM:<a@sender.example>")).startsWith("250 ");
            assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250 ");
            assertThat(c.cmd("DATA")).startsWith("354 ");
            String reply = null;
            for (int i = 0; i < 200 && reply == null; i++) {
                try {
                    c.send("X-Trickle: " + i + "\r\n");
                } catch (java.io.IOException gone) {
                    break;
                }
                Thread.sleep(100);
                reply = availableLine(c);
            }
            if (reply == null) reply = c.readLine();
            assertThat(reply).as("audit:%n%s", String.join("\n", s.auditLines()))
                    .isEqualTo("421 4.4.2 Data rate too low, closing connection");
            assertThat(s.inbox("alice@example.org")).isEmpty();
        }
    }

    /** A reply line if the server already sent one; null otherwise. */
    private static String availableLine(SmtpClient c) throws Exception {
        return c.available() > 0 ? c.readLine() : null;
    }

    @Test
    void defersMailAndRecipientsBeyondTheHourlyRates() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (TestServer s = TestServer.start(tmp, clock, "limits.message_rate = 2", "limits.recipient_rate = 3");
             SmtpClient c = greeted(s, Listener.MX, null)) {
            c.cmd("EHLO busy.example");
            assertThat(c.cmd("MAIL FROM:<a@sender.example>")).startsWith("250 ");
            assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250 ");
            assertThat(c.cmd("RCPT TO:<bob@example.org>")).startsWith("250 ");
            assertThat(c.cmd("RCPT TO:<sales@example.org>")).startsWith("250 ");
            assertThat(c.cmd("RCPT TO:<info@example.org>")).isEqualTo("451 4.7.1 Recipient rate limit exceeded, try again later");
            assertThat(c.cmd("RSET")).startsWith("250 ");
            assertThat(c.cmd("MAIL FROM:<a@sender.example>")).startsWith("250 ");
            assertThat(c.cmd("RSET")).startsWith("250 ");
            assertThat(c.cmd("MAIL FROM:<a@sender.example>")).isEqualTo("451 4.7.1 Message rate limit exceeded, try again later");
            clock.advance(Duration.ofMinutes(61));
            assertThat(c.cmd("MAIL FROM:<a@sender.example>")).startsWith("250 ");
            assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250 ");
        }
    }
}
