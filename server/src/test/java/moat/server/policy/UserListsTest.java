package moat.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import moat.dns.testserver.TestDnsServer;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.cli.MoatCommand;
import moat.server.config.ServerSettings;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import moat.store.sqlite.AdminDirectory;
import moat.store.sqlite.StoreSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Per-user allow and block lists over real sockets (docs/adr/0010-per-user-lists.md): the lists
 * are written with the real CLI against the running server's database (as an admin would), and
 * the dialogue shows their effect at RCPT. The client is 127.0.0.1, listed in the test DNSBL.
 */
class UserListsTest {
    @TempDir
    Path tmp;

    static TestDnsServer dns;

    @BeforeAll
    static void startDns() throws Exception {
        dns = TestDnsServer.builder().records(
                        "1.0.0.127.in-addr.arpa. PTR client.good.example.",
                        "client.good.example. A 127.0.0.1",
                        "1.0.0.127.bl.test. A 127.0.0.2",
                        "helo.good.example. A 192.0.2.1")
                .start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    record Started(TestServer server, Path dir) {}

    Started server(String... toml) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "moat");
        return new Started(TestServer.start(dir, PerimeterTest.resolver(dns), Clock.systemUTC(), toml), dir);
    }

    /** {@code moat args...} on the server's data directory; returns exit code and output. */
    static String moat(Path dir, String... args) throws java.io.IOException {
        // Admin commands need a configuration file (docs/adr/0028): the test server's data directory.
        Path config = dir.resolve("moat.toml");
        Files.writeString(config, "server.data_dir = \"" + dir.resolve("data") + "\"\n");
        CommandLine cli = MoatCommand.commandLine(c -> AdminDirectory.open(c.path(ServerSettings.DATA_DIR),
                StoreSettings.defaults()));
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int exit = cli.execute(all);
        return exit + " " + out;
    }

    static SmtpClient mail(TestServer s, String from) throws Exception {
        SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX));
        assertThat(c.reply().getLast()).startsWith("220");
        assertThat(c.cmd("EHLO helo.good.example")).startsWith("250");
        assertThat(c.cmd("MAIL FROM:<" + from + ">")).startsWith("250");
        return c;
    }

    @Test
    void aBlockRefusesOnlyThatRecipientAndTheMessageReachesTheOthers() throws Exception {
        Started st = server();
        try (TestServer s = st.server()) {
            assertThat(moat(st.dir(), "user", "block", "add", "alice@example.org", "@pest.example"))
                    .isEqualTo("0 added @pest.example to the block list of alice@example.org\n");
            try (SmtpClient c = mail(s, "someone@mail.pest.example")) { // subdomain of the entry
                assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("550 5.7.1 <alice@example.org>: Recipient refuses mail");
                assertThat(c.cmd("RCPT TO:<sales@example.org>")).startsWith("550 5.7.1"); // an alias of alice only
                assertThat(c.cmd("RCPT TO:<bob@example.org>")).startsWith("250");
                assertThat(c.cmd("DATA")).startsWith("354");
                assertThat(c.cmd("Subject: hi\r\n\r\nhello\r\n.")).startsWith("250");
                c.cmd("QUIT");
            }
            assertThat(s.inbox("bob@example.org")).hasSize(1);
            assertThat(s.inbox("alice@example.org")).isEmpty();
            assertThat(s.auditLines()).anyMatch(l -> l.contains("user.blocked"));
            // Other senders are not affected; removing the entry lifts the block at once (no restart).
            try (SmtpClient c = mail(s, "a@b.example")) {
                assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250");
            }
            assertThat(moat(st.dir(), "user", "block", "del", "alice@example.org", "pest.example")).startsWith("0 removed");
            try (SmtpClient c = mail(s, "someone@mail.pest.example")) {
                assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250");
            }
        }
    }

    @Test
    void aBlockOnTheClientNetworkAlsoCatchesTheNullSender() throws Exception {
        Started st = server();
        try (TestServer s = st.server()) {
            assertThat(moat(st.dir(), "user", "block", "add", "bob@example.org", "127.0.0.0/8")).startsWith("0 added 127.0.0.0/8");
            try (SmtpClient c = mail(s, "")) {
                assertThat(c.cmd("RCPT TO:<bob@example.org>")).startsWith("550 5.7.1");
                assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250");
            }
        }
    }

    @Test
    void anAllowExemptsThatRecipientFromDnsblAndGreylistingButNotTheOthers() throws Exception {
        Started st = server("dnsbl.zones = [\"bl.test\"]", "dnsbl.action = \"reject\"", "greylist.action = \"defer\"");
        try (TestServer s = st.server()) {
            assertThat(moat(st.dir(), "user", "allow", "add", "alice@example.org", "friend@partner.example")).startsWith("0 added");
            try (SmtpClient c = mail(s, "Friend@partner.example")) {
                assertThat(c.cmd("RCPT TO:<bob@example.org>")).startsWith("554 5.7.1 Client host [127.0.0.1] listed in bl.test");
                assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250"); // no DNSBL, no greylisting for alice
                assertThat(c.cmd("DATA")).startsWith("354");
                assertThat(c.cmd("Subject: hi\r\n\r\nhello\r\n.")).startsWith("250");
            }
            assertThat(s.inbox("alice@example.org")).hasSize(1);
            try (SmtpClient c = mail(s, "stranger@partner.example")) { // an address entry is not a domain entry
                assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("554 5.7.1");
            }
        }
    }

    @Test
    void anAllowNeverOpensTheRelayNorLiftsTheServerDenyList() throws Exception {
        Started st = server("policy.deny_senders = [\"friend@partner.example\"]");
        try (TestServer s = st.server()) {
            moat(st.dir(), "user", "allow", "add", "alice@example.org", "127.0.0.1");
            try (SmtpClient c = mail(s, "a@b.example")) {
                assertThat(c.cmd("RCPT TO:<someone@elsewhere.example>")).startsWith("554 5.7.1"); // relay denied
                assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250");
            }
            try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
                c.reply();
                c.cmd("EHLO helo.good.example");
                assertThat(c.cmd("MAIL FROM:<friend@partner.example>")).startsWith("554 5.7.1 Sender address rejected");
            }
        }
    }

    @Test
    void heldRefusalsCanBeTurnedOffToRefuseAtConnect() throws Exception {
        Started st = server("dnsbl.zones = [\"bl.test\"]", "dnsbl.action = \"reject\"", "policy.delay_reject = false");
        try (TestServer s = st.server(); SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            assertThat(c.readLine()).startsWith("554 5.7.1 Client host [127.0.0.1] listed in bl.test");
        }
    }

    @Test
    void cliManagesBothListsAndRefusesBadInput() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "cli");
        try (AdminDirectory d = AdminDirectory.open(dir.resolve("data"), StoreSettings.defaults())) {
            d.addDomain(moat.core.Domain.of("example.org"));
            d.addUser(moat.core.EmailAddress.of("alice@example.org"), "alice-password-1".toCharArray());
        }
        assertThat(moat(dir, "user", "allow", "add", "alice@example.org", "Partner.Example")).isEqualTo(
                "0 added @partner.example to the allow list of alice@example.org\n");
        assertThat(moat(dir, "user", "allow", "add", "alice@example.org", "@partner.example")).isEqualTo(
                "1 moat: @partner.example is already on the allow list of alice@example.org\n");
        assertThat(moat(dir, "user", "allow", "add", "ALICE@example.org", "2001:db8::/32")).startsWith("0 added");
        assertThat(moat(dir, "user", "block", "add", "alice@example.org", "x@spam.example")).startsWith("0 added");
        assertThat(moat(dir, "user", "allow", "list", "alice@example.org")).isEqualTo("0 2001:db8:0:0:0:0:0:0/32\n@partner.example\n");
        assertThat(moat(dir, "user", "block", "list", "alice@example.org")).isEqualTo("0 x@spam.example\n");
        assertThat(moat(dir, "user", "block", "del", "alice@example.org", "y@spam.example")).isEqualTo(
                "1 moat: y@spam.example is not on the block list of alice@example.org\n");
        assertThat(moat(dir, "user", "block", "add", "nobody@example.org", "x@spam.example")).isEqualTo(
                "1 moat: no such user: nobody@example.org\n");
        assertThat(moat(dir, "user", "block", "add", "alice@example.org", "localhost")).startsWith("2 ").contains("not a valid entry");
        assertThat(moat(dir, "user", "block", "add", "alice@example.org")).startsWith("2 ");
        assertThat(moat(dir, "user", "block", "list", "alice@example.org")).isEqualTo("0 x@spam.example\n");
        assertThat(List.of(moat(dir, "user", "allow", "--help"))).anyMatch(h -> h.contains("add") && h.contains("list"));
    }
}
