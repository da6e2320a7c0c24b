package moat.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import moat.core.EmailAddress;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * postmaster (RFC 5321 section 4.5.1) and abuse (RFC 2142) over real SMTP on port 25, as
 * docs/adr/0024-postmaster-and-abuse.md says: the admin's own alias wins, then server.postmaster,
 * then the first user added; with nowhere to go the RCPT is deferred, never accepted into nothing.
 * The fixture's first user is alice, then bob; the host name is mx.test.example.
 */
class PostmasterTest {
    @TempDir
    Path tmp;

    /** MAIL, the RCPTs, DATA; returns each RCPT reply then the final reply. */
    private static List<String> send(SmtpClient c, String... rcpts) throws Exception {
        c.reply();
        c.cmd("EHLO client.example");
        assertThat(c.cmd("MAIL FROM:<reporter@remote.example>")).startsWith("250");
        List<String> replies = new java.util.ArrayList<>();
        for (String r : rcpts) replies.add(c.cmd("RCPT TO:" + r));
        if (replies.stream().anyMatch(r -> r.startsWith("250"))) {
            assertThat(c.cmd("DATA")).startsWith("354");
            replies.add(c.cmd("From: reporter@remote.example\r\nSubject: your server\r\n\r\nhello postmaster\r\n."));
        }
        return replies;
    }

    @Test
    void postmasterAndAbuseOfEveryLocalDomainReachTheFirstUserByDefault() throws Exception {
        try (TestServer s = TestServer.start(tmp); SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            List<String> replies = send(c, "<postmaster@example.org>", "<POSTMASTER>", "<Abuse@EXAMPLE.org>",
                    "<postmaster@mx.test.example>", "<nobody@example.org>");
            assertThat(replies.subList(0, 4)).allSatisfy(r -> assertThat(r).startsWith("250 2.1.5"));
            assertThat(replies.get(4)).as("unknown users are still refused").startsWith("550 5.1.1");
            assertThat(replies.get(5)).startsWith("250 2.0.0");
            // Four role recipients, one mailbox: delivered once, to the first user added.
            assertThat(s.inbox("alice@example.org")).singleElement().asString().contains("hello postmaster");
            assertThat(s.inbox("bob@example.org")).isEmpty();
        }
    }

    @Test
    void serverPostmasterNamesWhereTheyGo() throws Exception {
        try (TestServer s = TestServer.start(tmp, "server.postmaster = \"sales@example.org\"");
             SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            // sales is an alias of alice in the fixture: the setting may name an alias too.
            assertThat(send(c, "<abuse@example.org>").getLast()).startsWith("250 2.0.0");
            assertThat(s.inbox("alice@example.org")).hasSize(1);
        }
    }

    @Test
    void theAdminsOwnAliasWinsOverTheFallback() throws Exception {
        try (TestServer s = TestServer.start(tmp)) {
            s.store().addAlias(EmailAddress.of("postmaster@example.org"), List.of(EmailAddress.of("bob@example.org")));
            try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
                List<String> replies = send(c, "<PostMaster@example.org>", "<abuse@example.org>");
                assertThat(replies.subList(0, 2)).allSatisfy(r -> assertThat(r).startsWith("250 2.1.5"));
                assertThat(replies.getLast()).startsWith("250 2.0.0");
            }
            assertThat(s.inbox("bob@example.org")).as("postmaster: the alias").hasSize(1);
            assertThat(s.inbox("alice@example.org")).as("abuse: still the fallback").hasSize(1);
        }
    }

    @Test
    void withNowhereToGoTheRcptIsDeferredNotLost() throws Exception {
        try (TestServer s = TestServer.start(tmp, "server.postmaster = \"ghost@example.org\"");
             SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            List<String> replies = send(c, "<postmaster@example.org>", "<alice@example.org>");
            assertThat(replies.get(0)).startsWith("451 4.3.0");
            assertThat(replies.get(1)).startsWith("250 2.1.5");
            assertThat(replies.getLast()).startsWith("250 2.0.0");
            assertThat(s.inbox("alice@example.org")).as("only alice's own copy").hasSize(1);
            assertThat(s.auditLines()).anySatisfy(l -> assertThat(l).contains("rcpt.postmaster_unset"));
        }
    }
}
