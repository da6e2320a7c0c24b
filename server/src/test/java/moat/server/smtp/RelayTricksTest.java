package moat.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Relay tricks on port 25 from an unauthenticated, untrusted client: every spelling that some
 * MTA once routed off-site must be refused. Local domain is example.org; relay.example is a
 * relay domain (exact match only).
 */
class RelayTricksTest {
    @TempDir
    static Path tmp;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(tmp);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "RCPT TO:{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "<victim@remote.example>                               | 554 5.7.1",
            "<@example.org:victim@remote.example>                  | 501 5.1.3",
            "<@example.org,@mx.example.org:victim@remote.example>  | 501 5.1.3",
            "<victim%remote.example@example.org>                   | 550 5.1.1",
            "<victim!remote.example@example.org>                   | 550 5.1.1",
            "<remote.example!victim@example.org>                   | 550 5.1.1",
            "<remote.example!victim>                               | 501 5.1.3",
            "<victim%remote.example>                               | 501 5.1.3",
            "<\"victim@remote.example\"@example.org>               | 550 5.1.1",
            "<\"victim%remote.example\"@example.org>               | 550 5.1.1",
            "<\"victim@remote.example\">                           | 501 5.1.3",
            "<victim@remote.example.>                              | 501 5.1.3",
            "<alice@example.org.>                                  | 501 5.1.3",
            "<victim@[192.0.2.1]>                                  | 554 5.7.1",
            "<victim@[127.0.0.1]>                                  | 554 5.7.1",
            "<victim@[IPv6:::1]>                                   | 554 5.7.1",
            "<victim@[remote.example]>                             | 554 5.7.1",
            "<alice@example.org@remote.example>                    | 501 5.1.3",
            "<victim@remote.example@example.org>                   | 501 5.1.3",
            "< victim@remote.example>                              | 501 5.1.3",
            "<victim@remote.example >                              | 501 5.1.3",
            "victim@remote.example                                 | 501 5.1.3",
            "<victim@remote.example%example.org>                   | 501 5.1.3",
            "<victim@example.org:remote.example>                   | 501 5.1.3",
            "<victim@example.org\\@remote.example>                 | 501 5.1.3",
            "<victim@remote.example,alice@example.org>             | 501 5.1.3",
            "<victim@sub.example.org>                              | 554 5.7.1",
            "<victim@relay.example.evil.example>                   | 554 5.7.1",
            "<victim@sub.relay.example>                            | 554 5.7.1",
            "<victim@example.org.remote.example>                   | 554 5.7.1",
            "<victim@xn--exmple-cua.org>                           | 554 5.7.1",
            "<victim@localhost>                                    | 554 5.7.1",
            "<victim@127.0.0.1>                                    | 554 5.7.1",
            "<postmaster@remote.example>                           | 554 5.7.1",
            "<=?utf-8?q?victim?=@remote.example>                   | 554 5.7.1",
            "<victim@remote．example>                              | 553 5.6.7",
            "<victim@remote.example> ORCPT=rfc822;victim@remote.example | 555 5.5.4",
            "<info@example.org>                                    | 250 2.1.5",
    })
    void refusesEveryRelayTrick(String path, String expected) throws Exception {
        try (SmtpClient c = new SmtpClient("127.0.0.1", server.port(Listener.MX))) {
            c.reply();
            c.cmd("EHLO attacker.example");
            assertThat(c.cmd("MAIL FROM:<attacker@evil.example>")).startsWith("250");
            String reply = c.cmd("RCPT TO:" + path.strip());
            assertThat(reply).startsWith(expected.strip());
            // Whatever the reply, the transaction may not hold an off-site recipient.
            if (!expected.startsWith("250")) assertThat(c.cmd("DATA")).startsWith("554 5.5.1");
        }
    }
}
