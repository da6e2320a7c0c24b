package moat.protocol.smtp;

import static moat.protocol.smtp.SessionDriver.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import moat.core.Reason;
import moat.protocol.smtp.SessionDriver.Port;
import moat.protocol.smtp.SessionDriver.State;
import moat.protocol.smtp.SmtpHandler.AuditEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SMTP state machine without sockets (ADR 0003): one row per listener, state and command
 * line, with the reply code and enhanced status the session must answer. The socket-level
 * dialogues (server module, {@code src/test/resources/dialogue/}) prove the same behaviour over
 * TCP and TLS; these rows pin every precondition of {@link SmtpSession#dispatch} in one place.
 */
class SmtpSessionTest {

    @ParameterizedTest(name = "{0} {1}: {2} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # port     | state       | command                                       | expected
            # before HELO/EHLO only the session commands work (RFC 5321 section 4.1.4)
            MX         | GREETED     | EHLO client.example                           | 250
            MX         | GREETED     | HELO client.example                           | 250
            MX         | GREETED     | MAIL FROM:<s@client.example>                  | 503 5.5.1
            MX         | GREETED     | RCPT TO:<alice@example.org>                   | 503 5.5.1
            MX         | GREETED     | DATA                                          | 503 5.5.1
            MX         | GREETED     | RSET                                          | 250 2.0.0
            MX         | GREETED     | NOOP                                          | 250 2.0.0
            MX         | GREETED     | NOOP with an ignored argument                 | 250 2.0.0
            MX         | GREETED     | HELP                                          | 214 2.0.0
            MX         | GREETED     | QUIT                                          | close 221 2.0.0
            MX         | GREETED     | STARTTLS                                      | tls 220 2.0.0
            MX_NO_CERT | GREETED     | STARTTLS                                      | 454 4.7.0
            # VRFY and EXPN never confirm an address; off by default (502)
            MX         | GREETED     | VRFY alice                                    | 502 5.5.1
            MX         | EHLO        | EXPN staff                                    | 502 5.5.1
            # bad syntax
            MX         | GREETED     | XYZZY                                         | 500 5.5.2
            MX         | GREETED     | EHLO                                          | 501 5.5.4
            MX         | GREETED     | EHLO two words                                | 501 5.5.4
            MX         | GREETED     | HELO                                          | 501 5.5.4
            MX         | EHLO        | DATA now                                      | 501 5.5.4
            MX         | EHLO        | QUIT now                                      | 501 5.5.4
            MX         | EHLO        | STARTTLS now                                  | 501 5.5.4
            MX         | EHLO        | MAIL FROM:s@client.example                    | 501 5.1.3
            MX         | EHLO        | MAIL FROM:<s@client.example                   | 501 5.1.3
            MX         | EHLO        | MAIL TO:<s@client.example>                    | 501 5.5.4
            MX         | EHLO        | MAIL FROM:<@relay.example:s@client.example>   | 553 5.1.7
            MX         | EHLO        | BDAT ten                                      | 501 5.5.4
            # malformed lines: NUL, bare CR, octets that are not UTF-8, overlong
            MX         | EHLO        | NOOP \\x00                                    | 500 5.5.2
            MX         | EHLO        | MAIL FROM:<s@client.example>\\x00              | 500 5.5.2
            MX         | EHLO        | NOOP a\\x0Db                                   | 500 5.5.2
            MX         | EHLO        | MAIL FROM:<s\\xC3\\x28@client.example>          | 500 5.5.2
            MX         | EHLO        | <too long>                                    | 500 5.5.6
            MX         | RCPT        | <too long>                                    | 500 5.5.6
            # MAIL: parameters this server advertised, nothing else
            MX         | HELO        | MAIL FROM:<s@client.example>                  | 250 2.1.0
            MX         | EHLO        | MAIL FROM:<s@client.example>                  | 250 2.1.0
            MX         | EHLO        | MAIL FROM:<>                                  | 250 2.1.0
            MX         | EHLO        | MAIL FROM: <s@client.example>                 | 250 2.1.0
            MX         | EHLO        | MAIL FROM:<s@client.example> SIZE=1000 BODY=8BITMIME | 250 2.1.0
            MX         | EHLO        | MAIL FROM:<s@client.example> SIZE=999999999999 | 552 5.3.4
            MX         | EHLO        | MAIL FROM:<s@client.example> SIZE=ten         | 501 5.5.4
            MX         | EHLO        | MAIL FROM:<s@client.example> BODY=BINARYMIME  | 555 5.5.4
            MX         | EHLO        | MAIL FROM:<s@client.example> SMTPUTF8=yes     | 501 5.5.4
            MX         | EHLO        | MAIL FROM:<s@client.example> XFOO=1           | 555 5.5.4
            MX         | EHLO        | RCPT TO:<alice@example.org>                   | 503 5.5.1
            MX         | EHLO        | DATA                                          | 503 5.5.1
            MX         | EHLO        | AUTH PLAIN                                    | 502 5.5.1
            MX         | EHLO        | EHLO client.example                           | 250
            # inside a transaction
            MX         | MAIL        | MAIL FROM:<s@client.example>                  | 503 5.5.1
            MX         | MAIL        | RCPT TO:<alice@example.org>                   | 250 2.1.5
            MX         | MAIL        | RCPT TO:<unknown@example.org>                 | 550 5.1.1
            MX         | MAIL        | RCPT TO:<alice@example.org> NOTIFY=NEVER      | 555 5.5.4
            MX         | MAIL        | RCPT TO:alice@example.org                     | 501 5.1.3
            MX         | MAIL        | DATA                                          | 554 5.5.1
            MX         | MAIL        | RSET                                          | 250 2.0.0
            MX         | MAIL        | NOOP                                          | 250 2.0.0
            MX         | MAIL        | VRFY alice                                    | 502 5.5.1
            MX         | MAIL        | QUIT                                          | close 221 2.0.0
            MX         | RCPT        | RCPT TO:<alice@example.org>                   | 250 2.1.5
            MX         | RCPT        | RCPT TO:<Alice@example.org>                   | 250 2.1.5
            MX         | RCPT        | MAIL FROM:<s@client.example>                  | 503 5.5.1
            MX         | RCPT        | DATA                                          | data 354
            MX         | RCPT        | BDAT 10 LAST                                  | chunk
            MX         | RCPT        | STARTTLS                                      | tls 220 2.0.0
            MX         | RCPT        | HELO client.example                           | 250
            # after the handshake the client starts over (RFC 3207 section 4.2)
            MX         | TLS         | STARTTLS                                      | 503 5.5.1
            MX         | TLS         | MAIL FROM:<s@client.example>                  | 503 5.5.1
            MX         | TLS         | EHLO client.example                           | 250
            MX         | TLS         | NOOP                                          | 250 2.0.0
            MX         | TLS_EHLO    | MAIL FROM:<s@client.example>                  | 250 2.1.0
            MX         | TLS_EHLO    | AUTH PLAIN ALICE                              | 502 5.5.1
            # submission: TLS, then AUTH, then MAIL (RFC 6409, RFC 4954 section 4)
            SUBMISSION | GREETED     | AUTH PLAIN ALICE                              | 530 5.7.0
            SUBMISSION | EHLO        | AUTH PLAIN ALICE                              | 530 5.7.0
            SUBMISSION | EHLO        | AUTH LOGIN                                    | 530 5.7.0
            SUBMISSION | EHLO        | MAIL FROM:<alice@example.org>                 | 530 5.7.0
            SUBMISSION | TLS         | AUTH PLAIN ALICE                              | 503 5.5.1
            SUBMISSION | TLS         | MAIL FROM:<alice@example.org>                 | 503 5.5.1
            SUBMISSION | TLS_EHLO    | MAIL FROM:<alice@example.org>                 | 530 5.7.0
            SUBMISSION | TLS_EHLO    | STARTTLS                                      | 503 5.5.1
            SUBMISSION | TLS_EHLO    | AUTH PLAIN ALICE                              | 235 2.7.0
            SUBMISSION | TLS_EHLO    | AUTH PLAIN ALICE_WRONG                        | 535 5.7.8
            SUBMISSION | TLS_EHLO    | AUTH PLAIN TEMPFAIL                           | 454 4.7.0
            SUBMISSION | TLS_EHLO    | AUTH PLAIN not-base64!                        | 501 5.5.4
            SUBMISSION | TLS_EHLO    | AUTH CRAM-MD5                                 | 504 5.5.4
            SUBMISSION | TLS_EHLO    | AUTH PLAIN                                    | 334
            SUBMISSION | TLS_EHLO    | AUTH LOGIN                                    | 334
            SUBMISSION | AUTHED      | AUTH PLAIN ALICE                              | 503 5.5.1
            SUBMISSION | AUTHED      | MAIL FROM:<alice@example.org>                 | 250 2.1.0
            SUBMISSION | AUTHED_MAIL | AUTH PLAIN ALICE                              | 503 5.5.1
            SUBMISSION | AUTHED_MAIL | RCPT TO:<bob@remote.example>                  | 250 2.1.5
            # implicit TLS (RFC 8314): no STARTTLS, AUTH at once after EHLO
            SUBMISSIONS| GREETED     | STARTTLS                                      | 503 5.5.1
            SUBMISSIONS| GREETED     | AUTH PLAIN ALICE                              | 503 5.5.1
            SUBMISSIONS| EHLO        | MAIL FROM:<alice@example.org>                 | 530 5.7.0
            SUBMISSIONS| EHLO        | AUTH PLAIN ALICE                              | 235 2.7.0
            SUBMISSIONS| AUTHED      | MAIL FROM:<alice@example.org>                 | 250 2.1.0
            """)
    void answersEachCommandInEachState(Port port, State state, String command, String expected) {
        SessionDriver d = new SessionDriver(port).reach(state);
        String line = command.replace("ALICE_WRONG", SessionDriver.ALICE_WRONG).replace("TEMPFAIL", SessionDriver.TEMPFAIL)
                .replace("ALICE", ALICE);
        assertThat(d.step(line)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} {1}: EHLO offers {2}, not {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # port     | state    | offered                         | not offered
            MX         | GREETED  | PIPELINING STARTTLS CHUNKING SIZE 8BITMIME SMTPUTF8 ENHANCEDSTATUSCODES | AUTH
            MX_NO_CERT | GREETED  | PIPELINING CHUNKING             | STARTTLS AUTH
            MX         | TLS      | PIPELINING CHUNKING             | STARTTLS AUTH
            SUBMISSION | GREETED  | STARTTLS                        | AUTH
            SUBMISSION | TLS      | AUTH                            | STARTTLS
            SUBMISSION | AUTHED   | PIPELINING                      | STARTTLS AUTH
            SUBMISSIONS| GREETED  | AUTH                            | STARTTLS
            """)
    void ehloOffersPasswordsOnlyOverTlsOnSubmission(Port port, State state, String offered, String notOffered) {
        SessionDriver d = new SessionDriver(port).reach(state);
        assertThat(d.step("EHLO client.example")).isEqualTo("250");
        List<String> keywords = d.lines().stream().map(l -> l.split(" ")[0]).toList();
        assertThat(d.lines().getFirst()).as("the host name only, no software name").isEqualTo("mx.example.org");
        assertThat(keywords).contains(offered.split(" ")).doesNotContain(notOffered.split(" "));
        if (offered.contains("AUTH")) assertThat(d.lines()).contains("AUTH PLAIN LOGIN");
    }

    @Test
    void greetsWithTheHostNameOnly() {
        SessionDriver d = new SessionDriver(Port.MX);
        assertThat(d.session.greeting().wire()).isEqualTo("220 mx.example.org ESMTP\r\n");
    }

    @Test
    void acceptsAMessageByDataAndStartsTheNextTransactionClean() {
        SessionDriver d = new SessionDriver(Port.MX).reach(State.RCPT);
        assertThat(d.step("DATA")).isEqualTo("data 354");
        assertThat(d.step("<body Subject: hi\\r\\n\\r\\n..dot\\r\\n.\\r\\n>")).isEqualTo("250 2.0.0");
        assertThat(d.handler.stored).containsExactly("Subject: hi\r\n\r\n.dot\r\n");
        assertThat(d.step("RCPT TO:<alice@example.org>")).as("the transaction ended").isEqualTo("503 5.5.1");
        assertThat(d.step("MAIL FROM:<s@client.example>")).isEqualTo("250 2.1.0");
        assertThat(d.handler.events).filteredOn(AuditEvent.TransactionEnded.class::isInstance).hasSize(1);
    }

    @Test
    void refusesBareLfInDataAndDiscardsTheBody() {
        SessionDriver d = new SessionDriver(Port.MX).reach(State.RCPT);
        assertThat(d.step("DATA")).isEqualTo("data 354");
        assertThat(d.step("<body Subject: hi\\n\\r\\nsmuggled\\r\\n.\\r\\n>")).isEqualTo("554 5.6.0");
        assertThat(d.reason()).contains(Reason.DATA_BARE_LF);
        assertThat(d.handler.stored).isEmpty();
        assertThat(d.handler.discarded).isEqualTo(1);
    }

    @Test
    void acceptsAMessageInBdatChunks() {
        SessionDriver d = new SessionDriver(Port.MX).reach(State.RCPT);
        assertThat(d.step("BDAT 12")).isEqualTo("chunk");
        assertThat(d.step("<body Subject: x\\r\\n>")).isEqualTo("250 2.0.0");
        assertThat(d.step("RCPT TO:<bob@example.org>")).as("no RCPT between chunks").isEqualTo("503 5.5.1");
        assertThat(d.step("DATA")).as("no DATA after BDAT").isEqualTo("503 5.5.1");
        assertThat(d.step("BDAT 6 LAST")).isEqualTo("chunk");
        assertThat(d.step("<body \\r\\nbody>")).isEqualTo("250 2.0.0");
        assertThat(d.handler.stored).containsExactly("Subject: x\r\n\r\nbody");
    }

    @Test
    void readsAndDropsABdatChunkSentOutOfOrderBeforeRefusingIt() {
        // RFC 3030 section 2: the chunk's octets are on the wire anyway; the reply follows them.
        SessionDriver d = new SessionDriver(Port.MX).reach(State.EHLO);
        assertThat(d.step("BDAT 5 LAST")).isEqualTo("chunk");
        assertThat(d.step("<body hello>")).isEqualTo("503 5.5.1");
        d = new SessionDriver(Port.MX).reach(State.MAIL);
        assertThat(d.step("RCPT TO:<unknown@example.org>")).isEqualTo("550 5.1.1");
        assertThat(d.step("BDAT 5 LAST")).isEqualTo("chunk");
        assertThat(d.step("<body hello>")).isEqualTo("554 5.5.1");
        assertThat(d.step("RCPT TO:<alice@example.org>")).as("the transaction ended").isEqualTo("503 5.5.1");
    }

    @Test
    void refusesABdatChunkBeyondTheSizeLimitAfterReadingIt() {
        SessionDriver d = new SessionDriver(Port.MX, limits(100, 100, 10, 65536)).reach(State.RCPT);
        assertThat(d.step("BDAT 65537 LAST")).isEqualTo("chunk");
        assertThat(d.handler.discarded).as("the body opened for it is dropped").isEqualTo(1);
        assertThat(d.step("<body " + "x".repeat(65537) + ">")).isEqualTo("552 5.3.4");
        assertThat(d.step("RCPT TO:<alice@example.org>")).as("the transaction ended").isEqualTo("503 5.5.1");
    }

    @Test
    void resetEndsTheTransactionAndDropsItsBody() {
        SessionDriver d = new SessionDriver(Port.MX).reach(State.RCPT);
        assertThat(d.step("BDAT 3")).isEqualTo("chunk");
        assertThat(d.step("<body abc>")).isEqualTo("250 2.0.0");
        assertThat(d.step("RSET")).isEqualTo("250 2.0.0");
        assertThat(d.handler.discarded).isEqualTo(1);
        assertThat(d.step("RCPT TO:<alice@example.org>")).isEqualTo("503 5.5.1");
        assertThat(d.step("MAIL FROM:<s@client.example>")).as("HELO survives RSET").isEqualTo("250 2.1.0");
    }

    @Test
    void commandsPipelinedBehindStartTlsDoNotSurviveTheHandshake() {
        // The I/O layer drops bytes buffered behind STARTTLS (CVE-2011-0411 class). Should any slip
        // through before the handshake, the session forgets them when TLS starts: no injected
        // transaction, HELO or recipient is carried into the encrypted session.
        SessionDriver d = new SessionDriver(Port.MX).reach(State.EHLO);
        assertThat(d.step("STARTTLS")).isEqualTo("tls 220 2.0.0");
        assertThat(d.step("MAIL FROM:<evil@attacker.example>")).isEqualTo("250 2.1.0");
        assertThat(d.step("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5");
        d.session.tlsStarted(SessionDriver.TLS);
        assertThat(d.step("RCPT TO:<alice@example.org>")).isEqualTo("503 5.5.1");
        assertThat(d.step("DATA")).isEqualTo("503 5.5.1");
        assertThat(d.step("MAIL FROM:<s@client.example>")).as("EHLO needed again").isEqualTo("503 5.5.1");
        assertThat(d.session.info().helo()).isEmpty();
        assertThat(d.session.info().tls()).contains(SessionDriver.TLS);
    }

    @Test
    void startTlsInsideATransactionEndsIt() {
        SessionDriver d = new SessionDriver(Port.MX).reach(State.RCPT);
        assertThat(d.step("STARTTLS")).isEqualTo("tls 220 2.0.0");
        assertThat(d.handler.events).filteredOn(AuditEvent.TransactionEnded.class::isInstance).hasSize(1);
        assertThat(d.step("<tls>")).isEqualTo("-");
        assertThat(d.step("EHLO client.example")).isEqualTo("250");
        assertThat(d.step("RCPT TO:<alice@example.org>")).isEqualTo("503 5.5.1");
    }

    @Test
    void anAuthExchangeInterruptedByTheHandshakeIsForgotten() {
        SessionDriver d = new SessionDriver(Port.SUBMISSION).reach(State.TLS_EHLO);
        assertThat(d.step("AUTH PLAIN")).isEqualTo("334");
        d.session.tlsStarted(SessionDriver.TLS); // cannot happen on the wire; the state reset must still hold
        assertThat(d.step(ALICE)).as("a command line again, not a SASL response").isEqualTo("500 5.5.2");
        assertThat(d.session.info().authUser()).isEmpty();
    }

    @Test
    void authLoginTakesUserAndPasswordOnContinuationLines() {
        SessionDriver d = new SessionDriver(Port.SUBMISSION).reach(State.TLS_EHLO);
        assertThat(d.step("AUTH LOGIN")).isEqualTo("334");
        assertThat(d.lines()).containsExactly("VXNlcm5hbWU6");
        assertThat(d.step("YWxpY2VAZXhhbXBsZS5vcmc=")).isEqualTo("334"); // alice@example.org
        assertThat(d.lines()).containsExactly("UGFzc3dvcmQ6");
        assertThat(d.step("c2VjcmV0")).isEqualTo("235 2.7.0"); // secret
        assertThat(d.session.info().authUser()).map(Object::toString).contains("alice@example.org");
        assertThat(d.handler.events).filteredOn(AuditEvent.AuthSucceeded.class::isInstance).hasSize(1);
    }

    @Test
    void aStarCancelsAnAuthExchange() {
        SessionDriver d = new SessionDriver(Port.SUBMISSION).reach(State.TLS_EHLO);
        assertThat(d.step("AUTH PLAIN")).isEqualTo("334");
        assertThat(d.step("*")).isEqualTo("501 5.7.0");
        assertThat(d.step("MAIL FROM:<alice@example.org>")).isEqualTo("530 5.7.0");
        assertThat(d.step("AUTH PLAIN " + ALICE)).as("a new exchange may start").isEqualTo("235 2.7.0");
    }

    @Test
    void refusesRecipientsBeyondTheLimitButDeliversToTheOthers() {
        SessionDriver d = new SessionDriver(Port.MX, limits(2, 100, 10)).reach(State.MAIL);
        assertThat(d.step("RCPT TO:<a@example.org>")).isEqualTo("250 2.1.5");
        assertThat(d.step("RCPT TO:<b@example.org>")).isEqualTo("250 2.1.5");
        assertThat(d.step("RCPT TO:<c@example.org>")).isEqualTo("452 4.5.3");
        assertThat(d.step("RCPT TO:<a@example.org>")).as("a duplicate does not count").isEqualTo("250 2.1.5");
        assertThat(d.step("DATA")).isEqualTo("data 354");
        assertThat(d.step("<body x\\r\\n.\\r\\n>")).isEqualTo("250 2.0.0");
    }

    @Test
    void closesAfterTooManyErrors() {
        SessionDriver d = new SessionDriver(Port.MX, limits(100, 100, 3));
        assertThat(d.step("BOGUS")).isEqualTo("500 5.5.2");
        assertThat(d.step("MAIL FROM:<s@client.example>")).isEqualTo("503 5.5.1");
        assertThat(d.step("NOOP")).as("a good command does not reset the count").isEqualTo("250 2.0.0");
        assertThat(d.step("ALSO BOGUS")).isEqualTo("close 421 4.7.0");
        assertThat(d.reason()).contains(Reason.TOO_MANY_ERRORS);
        assertThat(d.session.closed()).isTrue();
    }

    @Test
    void failedLoginsCountAsErrors() {
        SessionDriver d = new SessionDriver(Port.SUBMISSION, limits(100, 100, 2)).reach(State.TLS_EHLO);
        assertThat(d.step("AUTH PLAIN " + SessionDriver.ALICE_WRONG)).isEqualTo("535 5.7.8");
        assertThat(d.step("AUTH PLAIN " + SessionDriver.ALICE_WRONG)).isEqualTo("close 421 4.7.0");
    }

    @Test
    void closesWhenTheTransactionsAreUsedUp() {
        SessionDriver d = new SessionDriver(Port.MX, limits(100, 1, 10)).reach(State.RCPT);
        assertThat(d.step("DATA")).isEqualTo("data 354");
        assertThat(d.step("<body x\\r\\n.\\r\\n>")).isEqualTo("250 2.0.0");
        assertThat(d.step("MAIL FROM:<s@client.example>")).isEqualTo("close 421 4.7.0");
        assertThat(d.reason()).contains(Reason.TOO_MANY_TRANSACTIONS);
    }

    @Test
    void vrfyAndExpnAnswer252WhenSetToCannotVerify() {
        SmtpLimits l = SmtpLimits.defaults();
        SmtpLimits cannot = new SmtpLimits(l.maxCommandLine(), l.maxTextLine(), l.maxHeaderSize(), l.maxMessageSize(),
                l.maxRecipients(), l.maxTransactions(), l.maxErrors(), l.commandTimeout(), l.dataTimeout(),
                l.maxSessionDuration(), SmtpLimits.VrfyMode.CANNOT_VERIFY);
        SessionDriver d = new SessionDriver(Port.MX, cannot);
        assertThat(d.step("VRFY alice")).isEqualTo("252 2.1.5");
        assertThat(d.step("EXPN staff")).isEqualTo("252 2.1.5");
    }

    @Test
    void everyRefusalIsAuditedWithItsReason() {
        SessionDriver d = new SessionDriver(Port.MX);
        d.step("MAIL FROM:<s@client.example>");
        d.step("NOOP \\x00");
        assertThat(d.handler.events).filteredOn(AuditEvent.Refused.class::isInstance)
                .map(e -> ((AuditEvent.Refused) e).command() + " " + ((AuditEvent.Refused) e).reply().reason().orElseThrow().id())
                .containsExactly("MAIL syntax.sequence", "? syntax.command");
    }

    @Test
    void aLostConnectionDropsTheOpenBodyAndIsAuditedOnce() {
        SessionDriver d = new SessionDriver(Port.MX).reach(State.RCPT);
        assertThat(d.step("DATA")).isEqualTo("data 354");
        d.session.connectionLost("timeout");
        d.session.connectionLost("timeout");
        assertThat(d.handler.discarded).isEqualTo(1);
        assertThat(d.handler.events).filteredOn(AuditEvent.Disconnected.class::isInstance).hasSize(1);
        assertThat(d.session.timeoutReply().code()).isEqualTo(421);
    }

    private static SmtpLimits limits(int recipients, int transactions, int errors) {
        return limits(recipients, transactions, errors, SmtpLimits.defaults().maxMessageSize());
    }

    private static SmtpLimits limits(int recipients, int transactions, int errors, long messageSize) {
        SmtpLimits l = SmtpLimits.defaults();
        return new SmtpLimits(l.maxCommandLine(), l.maxTextLine(), l.maxHeaderSize(), messageSize, recipients,
                transactions, errors, Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(30), l.vrfy());
    }
}
