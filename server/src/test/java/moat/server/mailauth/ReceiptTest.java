package moat.server.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import moat.auth.arc.ArcResult;
import moat.auth.arc.ArcSealer;
import moat.auth.arc.ArcSealingKey;
import moat.auth.arc.ArcVerifier;
import moat.auth.dkim.DkimKeys;
import moat.auth.dkim.DkimSigner;
import moat.auth.dkim.DkimSigningKey;
import moat.core.EmailAddress;
import moat.core.dns.StaticZone;
import moat.dns.DnsjavaResolver;
import moat.dns.testserver.TestDnsServer;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Port 25 with SPF, DKIM and DMARC against DNS answers written out below (client 127.0.0.1):
 * a real listener, a real store, the decisions of docs/adr/0009-mail-authentication-actions.md.
 */
class ReceiptTest {
    private static final KeyPair SIGNER = DkimKeys.generateEd25519();
    private static final KeyPair LIST_SEALER = DkimKeys.generateEd25519();

    /** One line per domain: its SPF, its DMARC. */
    private static final StaticZone DNS = StaticZone.builder()
            .txt("good.example", "v=spf1 ip4:127.0.0.1 -all")
            .txt("_dmarc.good.example", "v=DMARC1; p=reject")
            .txt("sel._domainkey.good.example", DkimKeys.dnsRecord(SIGNER.getPublic()))
            .txt("forged.example", "v=spf1 ip4:192.0.2.0/24 -all")
            .txt("_dmarc.forged.example", "v=DMARC1; p=reject")
            .txt("quarantine.example", "v=spf1 ip4:192.0.2.1 -all")
            .txt("_dmarc.quarantine.example", "v=DMARC1; p=quarantine")
            .txt("nodmarc.example", "v=spf1 ip4:192.0.2.1 -all")
            .txt("arc._domainkey.lists.example", DkimKeys.dnsRecord(LIST_SEALER.getPublic()))
            .timeout("slow.example")
            .build();

    @TempDir
    Path tmp;

    private String send(TestServer s, String mailFrom, String message) throws Exception {
        try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.reply();
            c.cmd("EHLO client.example");
            String mail = c.cmd("MAIL FROM:<" + mailFrom + ">");
            if (!mail.startsWith("250")) return mail;
            assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250");
            assertThat(c.cmd("DATA")).startsWith("354");
            return c.cmd(message + ".");
        }
    }

    private static String msg(String from) {
        return "From: Someone <" + from + ">\r\nTo: alice@example.org\r\nSubject: hello\r\n\r\nbody line\r\n";
    }

    @Test
    void forgedFromOfARejectDomainIsRefusedAtEndOfDataAndNotStored() throws Exception {
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC())) {
            // SPF passes for the envelope domain, but nothing aligns with the From domain.
            assertThat(send(s, "bounce@good.example", msg("ceo@forged.example"))).startsWith("550 5.7.1");
            assertThat(s.inbox("alice@example.org")).isEmpty();
            assertThat(mailbox(s, "Junk")).isEmpty();
            try (var files = Files.walk(tmp.resolve("data").resolve("messages"))) {
                assertThat(files.filter(Files::isRegularFile).count()).as("no body file left").isZero();
            }
            JsonNode tx = lastTransaction(s);
            assertThat(tx.get("reason").asText()).isEqualTo("dmarc.reject");
            assertThat(tx.get("spf").asText()).isEqualTo("pass");
            assertThat(tx.get("dmarc").asText()).isEqualTo("fail");
            assertThat(tx.get("dmarc_from").asText()).isEqualTo("forged.example");
        }
    }

    @ParameterizedTest(name = "arc.trusted_sealers = {0}: {1}")
    @CsvSource(delimiter = '|', value = {"[\"lists.example\"] | 250 2.0.0", "[] | 550 5.7.1", "[\"other.example\"] | 550 5.7.1"})
    void aTrustedArcSealerOverridesADmarcFail(String sealers, String reply) throws Exception {
        // A mailing list relayed news@forged.example's message (its DKIM broke on the way) and sealed it.
        String original = msg("news@forged.example");
        ArcSealer sealer = new ArcSealer(new ArcSealingKey("lists.example", "arc", LIST_SEALER.getPrivate()),
                ArcSealer.DEFAULT_SIGNED, Clock.systemUTC());
        byte[] bytes = original.getBytes(StandardCharsets.UTF_8);
        ArcResult none = new ArcVerifier(DNS, Clock.systemUTC()).verify(bytes);
        String sealed = sealer.seal(bytes, "lists.example", "dkim=pass header.d=forged.example", none).orElseThrow()
                + original;
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC(), "arc.trusted_sealers = " + sealers)) {
            assertThat(send(s, "bounce@good.example", sealed)).startsWith(reply);
            JsonNode tx = lastTransaction(s);
            assertThat(tx.get("dmarc").asText()).isEqualTo("fail");
            if (reply.startsWith("250")) {
                assertThat(tx.get("arc").asText()).isEqualTo("pass");
                assertThat(tx.get("dmarc_override").asText()).isEqualTo("arc: lists.example");
                assertThat(s.inbox("alice@example.org")).singleElement().satisfies(m -> assertThat(m).contains("arc=pass"));
            } else {
                assertThat(s.inbox("alice@example.org")).isEmpty();
            }
        }
    }

    @Test
    void quarantinePolicyDeliversToJunk() throws Exception {
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC())) {
            assertThat(send(s, "bounce@good.example", msg("news@quarantine.example"))).startsWith("250 2.0.0");
            assertThat(s.inbox("alice@example.org")).isEmpty();
            assertThat(mailbox(s, "Junk")).singleElement().satisfies(m -> assertThat(m).contains("dmarc=fail"));
            assertThat(lastTransaction(s).get("mailbox").asText()).isEqualTo("Junk");
        }
    }

    @Test
    void alignedDkimPassesDmarcEvenWhenSpfFails() throws Exception {
        String message = msg("news@good.example");
        DkimSigner signer = new DkimSigner(new DkimSigningKey("good.example", "sel", SIGNER.getPrivate()), Clock.systemUTC());
        String signed = signer.sign(message.getBytes(StandardCharsets.UTF_8)) + message;
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC())) {
            // The envelope is a forwarder's: SPF fails for it, DKIM survives the forwarding.
            assertThat(send(s, "fwd@quarantine.example", signed)).startsWith("250 2.0.0");
            String stored = s.inbox("alice@example.org").getFirst();
            // Matched loosely: the Authentication-Results builder may add comments and properties.
            assertThat(stored).containsPattern("dkim=pass[^;]*header\\.d=good\\.example").contains("dmarc=pass")
                    .contains("spf=fail");
            assertThat(lastTransaction(s).get("dkim").asText()).isEqualTo("pass:good.example:sel");
        }
    }

    @ParameterizedTest(name = "spf.fail_action = {0}: MAIL {1}, end of DATA {2}")
    @CsvSource({
            "reject,               550 5.7.23, -",
            "defer,                451 4.7.23, -",
            "reject_without_dmarc, 250,        550 5.7.23",
            "score,                250,        250",
            "off,                  250,        250"})
    void spfFailWithoutDmarcFollowsTheConfiguredAction(String action, String atMail, String atData) throws Exception {
        // Loopback has no PTR (rDNS scores 6): a threshold of 100 lets "score" show it only adds points.
        // policy.delay_reject = false: refusals at the MAIL stage itself (the default holds them
        // until RCPT; see spfRefusalIsHeldUntilRcptByDefault).
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC(), "spf.fail_action = \"" + action + "\"",
                "policy.reject_score = 100", "policy.delay_reject = false");
             SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.reply();
            c.cmd("EHLO client.example");
            assertThat(c.cmd("MAIL FROM:<a@nodmarc.example>")).startsWith(atMail);
            if (atData.equals("-")) return;
            c.cmd("RCPT TO:<alice@example.org>");
            c.cmd("DATA");
            assertThat(c.cmd(msg("a@nodmarc.example") + ".")).startsWith(atData);
            if (atData.equals("250")) {
                assertThat(s.inbox("alice@example.org").getFirst()).containsPattern("spf=fail[^;]*smtp\\.mailfrom=[^;]*nodmarc\\.example");
            }
        }
    }

    @Test
    void spfRefusalIsHeldUntilRcptByDefault() throws Exception {
        // policy.delay_reject (default on): a recipient's own allow list may still exempt it, so
        // the refusal comes at RCPT, like Postfix's smtpd_delay_reject.
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC(), "spf.fail_action = \"reject\"");
             SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.reply();
            c.cmd("EHLO client.example");
            assertThat(c.cmd("MAIL FROM:<a@nodmarc.example>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("550 5.7.23");
            assertThat(c.cmd("DATA")).startsWith("554 5.5.1");
        }
    }

    @Test
    void theNullSenderIsCheckedWithTheHeloIdentity() throws Exception {
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC(), "spf.fail_action = \"reject\"",
                "policy.delay_reject = false");
             SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.reply();
            c.cmd("EHLO nodmarc.example");
            assertThat(c.cmd("MAIL FROM:<>")).startsWith("550 5.7.23");
            c.cmd("EHLO good.example");
            assertThat(c.cmd("MAIL FROM:<>")).startsWith("250");
        }
    }

    @ParameterizedTest(name = "spf.fail_action = {0}")
    @CsvSource({"reject", "reject_without_dmarc", "defer"})
    void dnsTimeoutIsATemporaryErrorNeverARejection(String action) throws Exception {
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC(), "spf.fail_action = \"" + action + "\"",
                "policy.delay_reject = false");
             SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.reply();
            c.cmd("EHLO client.example");
            assertThat(c.cmd("MAIL FROM:<a@slow.example>")).startsWith("451 4.7.24");
            assertThat(c.cmd("MAIL FROM:<a@good.example>")).as("the session goes on").startsWith("250");
        }
    }

    @Test
    void aRealDnsTimeoutThroughTheResolverIsATemporaryError() throws Exception {
        try (TestDnsServer server = TestDnsServer.builder()
                .records("good.example. 300 IN TXT \"v=spf1 ip4:127.0.0.1 -all\"")
                .timeout("slow.example").start()) {
            DnsjavaResolver dns = new DnsjavaResolver(new DnsjavaResolver.Config(List.of(server.address()),
                    java.time.Duration.ofMillis(300), 100, java.time.Duration.ofMinutes(5)), Clock.systemUTC());
            try (TestServer s = TestServer.start(tmp, dns, Clock.systemUTC(), "spf.fail_action = \"reject\"",
                    "policy.delay_reject = false");
                 SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
                c.reply();
                c.cmd("EHLO client.example");
                assertThat(c.cmd("MAIL FROM:<a@slow.example>")).startsWith("451 4.7.24");
                assertThat(c.cmd("MAIL FROM:<a@good.example>")).startsWith("250");
            }
        }
    }

    @Test
    void authenticationResultsIsAddedAndAForgedOneClaimingOurNameIsRemoved() throws Exception {
        String message = "Authentication-Results: mx.test.example; spf=pass smtp.mailfrom=forged.example;\r\n"
                + "\tdkim=pass header.d=forged.example; dmarc=pass\r\n"
                + "Authentication-Results: other.example; spf=pass smtp.mailfrom=x.example\r\n"
                + msg("news@good.example");
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC())) {
            assertThat(send(s, "news@good.example", message)).startsWith("250 2.0.0");
            String stored = s.inbox("alice@example.org").getFirst();
            List<String> ours = stored.lines().filter(l -> l.startsWith("Authentication-Results: mx.test.example")).toList();
            assertThat(ours).hasSize(1);
            assertThat(stored).doesNotContain("header.d=forged.example")
                    .contains("Authentication-Results: other.example; spf=pass smtp.mailfrom=x.example\r\n");
            // Ours comes right after our Received field, before everything the client sent.
            int received = stored.indexOf("Received: from client.example");
            int ar = stored.indexOf("Authentication-Results: mx.test.example");
            assertThat(received).isZero();
            assertThat(ar).isGreaterThan(received).isLessThan(stored.indexOf("Authentication-Results: other.example"));
            assertThat(stored.substring(ar)).containsPattern("spf=pass[^;]*smtp\\.mailfrom=[^;]*good\\.example").contains("dmarc=pass");
            JsonNode tx = lastTransaction(s);
            assertThat(tx.get("spf").asText()).isEqualTo("pass");
            assertThat(tx.get("dkim").asText()).isEqualTo("none");
            assertThat(tx.get("dmarc").asText()).isEqualTo("pass");
        }
    }

    @Test
    void severalFromAddressesAreRefused() throws Exception {
        String message = "From: a@good.example, b@forged.example\r\nSubject: x\r\n\r\nbody\r\n";
        try (TestServer s = TestServer.start(tmp, DNS, Clock.systemUTC())) {
            assertThat(send(s, "a@good.example", message)).startsWith("550 5.7.1");
            assertThat(lastTransaction(s).get("reason").asText()).isEqualTo("dmarc.from_invalid");
            String twoFields = "From: a@good.example\r\nFrom: b@forged.example\r\nSubject: x\r\n\r\nbody\r\n";
            assertThat(send(s, "a@good.example", twoFields)).startsWith("550 5.7.1");
            assertThat(s.inbox("alice@example.org")).isEmpty();
        }
    }

    private static List<String> mailbox(TestServer s, String name) throws Exception {
        return s.store().messages(EmailAddress.of("alice@example.org"), name).stream().map(m -> {
            try (var in = s.store().open(m)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    private static JsonNode lastTransaction(TestServer s) throws Exception {
        ObjectMapper m = new ObjectMapper();
        JsonNode last = null;
        for (String line : s.auditLines()) {
            JsonNode n = m.readTree(line);
            if (n.get("event").asText().equals("smtp.transaction")) last = n;
        }
        assertThat(last).as("an smtp.transaction event").isNotNull();
        return last;
    }
}
