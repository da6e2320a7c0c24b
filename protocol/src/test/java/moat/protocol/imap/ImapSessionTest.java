package moat.protocol.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The IMAP state machine alone (ADR 0003): commands in, actions out, over an in-memory backend;
 * no sockets. The dialogue and end-to-end tests in the server module run the same session over
 * real connections and the real store.
 */
class ImapSessionTest {
    static final String INBOX_1 = "From: Bob <bob@example.net>\r\nSubject: hello\r\n\r\nhi there\r\n";
    static final String INBOX_2 = "From: Carol <carol@example.net>\r\nSubject: parts\r\n"
            + "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\naMOpbGxv\r\n--XX\r\nContent-Type: text/plain\r\n"
            + "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n--XX--\r\n";

    final InMemoryBackend backend = new InMemoryBackend();
    int maxErrors = 5;

    ImapSessionTest() {
        backend.deliver("INBOX", INBOX_1);
        backend.deliver("INBOX", INBOX_2);
    }

    ImapSession session(boolean tls) {
        ImapLimits d = ImapLimits.defaults();
        ImapLimits limits = new ImapLimits(d.maxLine(), 4096, 512, d.maxNesting(), d.idleTimeout(),
                d.unauthTimeout(), maxErrors, d.maxConnectionsPerUser());
        return new ImapSession(new ImapSession.Config("mail.example.org", limits, true), backend, "s1",
                new InetSocketAddress("192.0.2.1", 50000),
                tls ? Optional.of(new ImapBackend.Tls("TLSv1.3", "TLS_AES_128_GCM_SHA256")) : Optional.empty());
    }

    /** A session in one of the states of the table: PLAINTEXT is not authenticated and without TLS. */
    enum Start { PLAINTEXT, NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, EXAMINED }

    ImapSession in(Start start) {
        ImapSession s = session(start != Start.PLAINTEXT);
        if (start.compareTo(Start.AUTHENTICATED) >= 0)
            assertThat(tagged(s, "l LOGIN " + InMemoryBackend.USER + " " + InMemoryBackend.PASSWORD)).startsWith("l OK");
        if (start == Start.SELECTED) assertThat(tagged(s, "s SELECT INBOX")).startsWith("s OK");
        if (start == Start.EXAMINED) assertThat(tagged(s, "s EXAMINE INBOX")).startsWith("s OK");
        return s;
    }

    static String text(ImapAction a) {
        byte[] b = switch (a) {
            case ImapAction.Send x -> x.bytes();
            case ImapAction.Close x -> x.bytes();
            case ImapAction.StartTls x -> x.bytes();
            case ImapAction.Idle x -> x.bytes();
            case ImapAction.Continue x -> x.bytes();
        };
        return new String(b, StandardCharsets.UTF_8);
    }

    static String all(ImapSession s, String command) {
        return text(s.onCommand(command.getBytes(StandardCharsets.UTF_8)));
    }

    /** The last line of the answer: the tagged status (or the BYE, or the continuation). */
    static String tagged(ImapSession s, String command) {
        return last(all(s, command));
    }

    static String last(String response) {
        String[] lines = response.split("\r\n");
        return lines[lines.length - 1];
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # state           | command                                   | tagged answer starts with
            PLAINTEXT         | a SELECT INBOX                            | a BAD Command not allowed now
            PLAINTEXT         | a LOGIN alice@example.org secret          | a NO [PRIVACYREQUIRED] LOGIN is disabled before STARTTLS
            PLAINTEXT         | a AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA== | a NO [PRIVACYREQUIRED] Authentication is disabled before STARTTLS
            PLAINTEXT         | a STARTTLS                                | a OK Begin TLS negotiation now
            PLAINTEXT         | a STARTTLS now                            | a BAD Unexpected text after command
            PLAINTEXT         | a CAPABILITY                              | a OK CAPABILITY completed
            PLAINTEXT         | a ID NIL                                  | a OK ID completed
            PLAINTEXT         | a noop                                    | a OK NOOP completed
            PLAINTEXT         | a ENABLE IMAP4rev2                        | a BAD Command not allowed now
            PLAINTEXT         | a IDLE                                    | a BAD Command not allowed now
            NOT_AUTHENTICATED | a STARTTLS                                | a BAD TLS already active
            NOT_AUTHENTICATED | a LOGIN alice@example.org wrong           | a NO [AUTHENTICATIONFAILED] Invalid credentials
            NOT_AUTHENTICATED | a LOGIN alice@example.org secret          | a OK [CAPABILITY IMAP4rev1
            NOT_AUTHENTICATED | a AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA== | a OK [CAPABILITY IMAP4rev1
            NOT_AUTHENTICATED | a AUTHENTICATE CRAM-MD5                   | a NO Unsupported mechanism
            NOT_AUTHENTICATED | a GETQUOTAROOT INBOX                       | a BAD Command not allowed now
            NOT_AUTHENTICATED | a FETCH 1 FLAGS                           | a BAD Command not allowed now
            AUTHENTICATED     | a LOGIN alice@example.org secret          | a BAD Command not allowed now
            AUTHENTICATED     | a STARTTLS                                | a BAD Command not allowed now
            AUTHENTICATED     | a FETCH 1 FLAGS                           | a BAD Command not allowed now
            AUTHENTICATED     | a CHECK                                   | a BAD Command not allowed now
            AUTHENTICATED     | a UNSELECT                                | a BAD Command not allowed now
            AUTHENTICATED     | a UID FETCH 1 FLAGS                       | a BAD Command not allowed now
            AUTHENTICATED     | a SELECT Nowhere                          | a NO [NONEXISTENT] No such mailbox
            AUTHENTICATED     | a CREATE Archive                          | a NO [ALREADYEXISTS] Mailbox already exists
            AUTHENTICATED     | a CREATE Drafts                           | a OK CREATE completed
            AUTHENTICATED     | a DELETE Nowhere                          | a NO [NONEXISTENT] No such mailbox
            AUTHENTICATED     | a RENAME Archive Old                      | a OK RENAME completed
            AUTHENTICATED     | a UNSUBSCRIBE Archive                     | a OK UNSUBSCRIBE completed
            AUTHENTICATED     | a LIST "" *                               | a OK LIST completed
            AUTHENTICATED     | a LSUB "" *                               | a OK LSUB completed
            AUTHENTICATED     | a NAMESPACE                               | a OK NAMESPACE completed
            AUTHENTICATED     | a STATUS INBOX (MESSAGES UNSEEN)          | a OK STATUS completed
            AUTHENTICATED     | a ENABLE QRESYNC                          | a OK ENABLE completed
            AUTHENTICATED     | a GETQUOTA ""                             | a OK GETQUOTA completed
            AUTHENTICATED     | a GETQUOTA other                          | a NO [NONEXISTENT] No such quota root
            AUTHENTICATED     | a GETQUOTAROOT INBOX                      | a OK GETQUOTAROOT completed
            AUTHENTICATED     | a SETQUOTA "" (STORAGE 10)                | a NO [NOPERM] Quotas are set by the administrator
            AUTHENTICATED     | a SETQUOTA "" (STORAGE)                   | a BAD
            AUTHENTICATED     | a APPEND Nowhere {1+}\\r\\nx             | a NO [TRYCREATE] No such mailbox
            SELECTED          | a FROB                                    | a BAD Unknown command
            SELECTED          | a UID                                     | a BAD UID needs a command
            SELECTED          | a UID FROB 1                              | a BAD Unknown UID command
            SELECTED          | a UID SELECT INBOX                        | a BAD Unknown UID command
            SELECTED          | a UID CLOSE                               | a BAD Unknown UID command
            SELECTED          | a UID NOOP                                | a BAD Unknown UID command
            SELECTED          | a                                         | a BAD Missing command
            SELECTED          | a NOOP                                    | a OK NOOP completed
            SELECTED          | a CHECK                                   | a OK CHECK completed
            SELECTED          | a NOOP now                                | a BAD Unexpected text after command
            SELECTED          | a FETCH 3 FLAGS                           | a BAD Invalid message sequence number
            SELECTED          | a FETCH 3 (BODY[])                        | a BAD Invalid message sequence number
            SELECTED          | a UID FETCH 3 FLAGS                       | a OK UID FETCH completed
            SELECTED          | a FETCH 1 (FLAGS                          | a BAD
            SELECTED          | a FETCH 1 (NONSENSE)                      | a BAD Unknown FETCH item NONSENSE
            SELECTED          | a UID FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED) | a BAD VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC
            SELECTED          | a FETCH 2 (BINARY[2])                     | a NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding; use BODY[]
            SELECTED          | a STORE 1 +FLAGS (\\Seen)                 | a OK STORE completed
            SELECTED          | a UID STORE 1 +FLAGS (\\Seen)             | a OK UID STORE completed
            SELECTED          | a STORE 1 PLUSFLAGS (\\Seen)              | a BAD Expected FLAGS, +FLAGS or -FLAGS
            SELECTED          | a SEARCH ALL                              | a OK SEARCH completed
            SELECTED          | a UID SEARCH ALL                          | a OK UID SEARCH completed
            SELECTED          | a COPY 1 Nowhere                          | a NO [TRYCREATE] No such mailbox
            SELECTED          | a COPY 1 Archive                          | a OK [COPYUID 1002 1 1] COPY completed
            SELECTED          | a UID MOVE 2 Archive                      | a OK MOVE completed
            SELECTED          | a EXPUNGE                                 | a OK EXPUNGE completed
            SELECTED          | a UID EXPUNGE 1                           | a OK UID EXPUNGE completed
            SELECTED          | a CLOSE                                   | a OK CLOSE completed
            SELECTED          | a UNSELECT                                | a OK UNSELECT completed
            SELECTED          | a DELETE INBOX                            | a NO [CANNOT] DELETE refused for this mailbox
            SELECTED          | a LOGOUT                                  | a OK LOGOUT completed
            EXAMINED          | a STORE 1 +FLAGS (\\Seen)                 | a NO [READ-ONLY] Mailbox is read-only
            EXAMINED          | a MOVE 1 Archive                          | a NO [READ-ONLY] Mailbox is read-only
            EXAMINED          | a EXPUNGE                                 | a NO [READ-ONLY] Mailbox is read-only
            EXAMINED          | a COPY 1 Archive                          | a OK [COPYUID 1002 1 1] COPY completed
            """)
    void answersEachCommandInEachState(Start start, String command, String answer) {
        ImapSession s = in(start);
        assertThat(tagged(s, command.replace("\\r\\n", "\r\n"))).startsWith(answer);
    }

    @Test
    void aLineWithoutATagGetsAnUntaggedBad() {
        ImapSession s = in(Start.PLAINTEXT);
        assertThat(all(s, "")).isEqualTo("* BAD Missing or invalid tag\r\n");
        assertThat(all(s, "+x NOOP")).isEqualTo("* BAD Missing or invalid tag\r\n");
    }

    @Test
    void theActionSaysWhatTheConnectionMustDo() {
        ImapSession s = in(Start.PLAINTEXT);
        assertThat(s.onCommand(bytes("a STARTTLS"))).isInstanceOf(ImapAction.StartTls.class);
        assertThat(in(Start.SELECTED).onCommand(bytes("a IDLE"))).isInstanceOf(ImapAction.Idle.class);
        assertThat(in(Start.NOT_AUTHENTICATED).onCommand(bytes("a AUTHENTICATE PLAIN")))
                .isInstanceOf(ImapAction.Continue.class);
        ImapSession out = in(Start.SELECTED);
        assertThat(all(out, "a LOGOUT")).isEqualTo("* BYE mail.example.org logging out\r\na OK LOGOUT completed\r\n");
        assertThat(all(out, "b NOOP")).isEqualTo("b BAD Command not allowed now\r\n"); // the LOGOUT state allows none
    }

    @Test
    void loginDisabledIsAdvertisedUntilTls() {
        ImapSession s = in(Start.PLAINTEXT);
        assertThat(new String(s.greeting(), StandardCharsets.US_ASCII)).contains(" STARTTLS LOGINDISABLED").doesNotContain("AUTH=");
        s.tlsStarted(new ImapBackend.Tls("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
        assertThat(all(s, "a CAPABILITY")).contains(" AUTH=PLAIN SASL-IR").doesNotContain("LOGINDISABLED")
                .doesNotContain("STARTTLS");
        assertThat(tagged(s, "b LOGIN alice@example.org secret")).startsWith("b OK [CAPABILITY");
    }

    @ParameterizedTest
    @EnumSource(ImapCommand.class)
    void everyCommandsCapabilityIsAdvertisedWhereItIsAllowed(ImapCommand c) {
        if (c.capability().isEmpty()) return;
        String cap = c.capability().get();
        String where = c.allowedIn(ImapSession.State.NOT_AUTHENTICATED)
                ? (cap.equals("STARTTLS") ? new String(session(false).greeting(), StandardCharsets.US_ASCII)
                : new String(session(true).greeting(), StandardCharsets.US_ASCII))
                : all(in(Start.AUTHENTICATED), "c CAPABILITY");
        assertThat(where.split("[ \\]\r\n]")).as(c + " needs " + cap).contains(cap);
    }

    @Test
    void theTableHoldsTheStatesOfRfc9051Section6() {
        assertThat(ImapCommand.named("fetch")).contains(ImapCommand.FETCH);
        assertThat(ImapCommand.named("UID")).isEmpty(); // a prefix, not a command
        assertThat(ImapCommand.FETCH.states()).containsExactly(ImapSession.State.SELECTED);
        assertThat(ImapCommand.LOGIN.states()).containsExactly(ImapSession.State.NOT_AUTHENTICATED);
        assertThat(ImapCommand.NOOP.states()).doesNotContain(ImapSession.State.LOGOUT);
        assertThat(java.util.Arrays.stream(ImapCommand.values()).filter(ImapCommand::takesUid))
                .containsExactlyInAnyOrder(ImapCommand.FETCH, ImapCommand.STORE, ImapCommand.SEARCH,
                        ImapCommand.COPY, ImapCommand.MOVE, ImapCommand.EXPUNGE);
    }

    @Test
    void authenticateTakesItsResponseOnTheNextLine() {
        ImapSession s = in(Start.NOT_AUTHENTICATED);
        assertThat(all(s, "a AUTHENTICATE PLAIN")).isEqualTo("+ \r\n");
        assertThat(tagged(s, b64("\0alice@example.org\0secret"))).startsWith("a OK [CAPABILITY");
        ImapSession t = in(Start.NOT_AUTHENTICATED);
        all(t, "b AUTHENTICATE PLAIN");
        assertThat(tagged(t, "*")).isEqualTo("b BAD Authentication cancelled");
        all(t, "c AUTHENTICATE PLAIN");
        assertThat(tagged(t, "!!!")).isEqualTo("c BAD Invalid PLAIN response");
    }

    @Test
    void idleReportsChangesAndEndsWithDone() {
        ImapSession s = in(Start.SELECTED);
        assertThat(all(s, "i IDLE")).isEqualTo("+ idling\r\n");
        assertThat(s.idleUpdates()).isEmpty();
        backend.deliver("INBOX", INBOX_1);
        assertThat(new String(s.idleUpdates(), StandardCharsets.US_ASCII)).isEqualTo("* 3 EXISTS\r\n");
        assertThat(s.idleUpdates()).isEmpty(); // reported once
        assertThat(text(s.idleDone(bytes("done")))).isEqualTo("i OK IDLE terminated\r\n");
        all(s, "j IDLE");
        assertThat(text(s.idleDone(bytes("NOOP")))).isEqualTo("j BAD Expected DONE\r\n");
    }

    @Test
    void idleWithoutAMailboxIsAllowedOnceAuthenticated() {
        ImapSession s = in(Start.AUTHENTICATED);
        ImapAction a = s.onCommand(bytes("i IDLE"));
        assertThat(a).isInstanceOfSatisfying(ImapAction.Idle.class, i -> assertThat(i.mailboxId()).isEqualTo(-1));
    }

    @Test
    void literalsAreJudgedBeforeTheyAreRead() {
        ImapSession pre = in(Start.NOT_AUTHENTICATED);
        // before login: 1 KiB at most, whatever the command
        assertThat(pre.literal(bytes("a LOGIN {1024}"), 1024, false)).isInstanceOf(ImapSession.LiteralDecision.Accept.class);
        assertThat(reject(pre.literal(bytes("a LOGIN {1025}"), 1025, false)))
                .isEqualTo("a BAD Literal too large (max 1024 octets)\r\n");
        assertThat(reject(pre.literal(bytes("a LOGIN {1025+}"), 1025, true)))
                .isEqualTo("a BAD Literal too large (max 1024 octets)\r\n* BYE Literal too large\r\n");
        assertThat(pre.literal(bytes("a LOGIN {1025+}"), 1025, true)) // the client sends the octets anyway
                .isInstanceOfSatisfying(ImapSession.LiteralDecision.Reject.class, r -> assertThat(r.close()).isTrue());
        assertThat(pre.literal(bytes("a LOGIN {1025}"), 1025, false))
                .isInstanceOfSatisfying(ImapSession.LiteralDecision.Reject.class, r -> assertThat(r.close()).isFalse());

        ImapSession s = in(Start.AUTHENTICATED);
        assertThat(reject(s.literal(bytes("a APPEND INBOX {4097}"), 4097, false)))
                .isEqualTo("a NO [TOOBIG] Literal too large (max 4096 octets)\r\n");
        assertThat(reject(s.literal(bytes("a append INBOX {4097}"), 4097, false))).startsWith("a NO [TOOBIG]");
        assertThat(reject(s.literal(bytes("a UID SEARCH TEXT {513}"), 513, false)))
                .isEqualTo("a BAD Literal too large (max 512 octets)\r\n");
        assertThat(s.literal(bytes("a APPEND INBOX {4096}"), 4096, false))
                .isInstanceOfSatisfying(ImapSession.LiteralDecision.Accept.class, acc -> assertThat(acc.continuation())
                        .hasValueSatisfying(c -> assertThat(new String(c, StandardCharsets.US_ASCII))
                                .isEqualTo("+ Ready for literal data\r\n")));
        assertThat(s.literal(bytes("a APPEND INBOX {10+}"), 10, true))
                .isEqualTo(new ImapSession.LiteralDecision.Accept(Optional.empty()));
    }

    @Test
    void literalsArriveInlineInTheCommand() {
        ImapSession s = in(Start.NOT_AUTHENTICATED);
        assertThat(tagged(s, "a LOGIN {17}\r\nalice@example.org {6}\r\nsecret")).startsWith("a OK [CAPABILITY");
        String message = "Subject: appended\r\n\r\nbody\r\n";
        assertThat(tagged(s, "b APPEND Archive (\\Seen) {" + message.length() + "}\r\n" + message))
                .isEqualTo("b OK [APPENDUID 1002 1] APPEND completed");
        assertThat(backend.box("Archive").messages.get(1L).flags).containsExactly("\\Seen");
        assertThat(tagged(s, "c APPEND Archive {5}\r\nab")).startsWith("c BAD");
    }

    @Test
    void tooLongLinesAndBadCommandsCountTowardsTheErrorLimit() {
        maxErrors = 3;
        ImapSession s = in(Start.PLAINTEXT);
        assertThat(text(s.onLineTooLong())).isEqualTo("* BAD Command line too long\r\n");
        assertThat(tagged(s, "a FROB")).isEqualTo("a BAD Unknown command");
        ImapAction third = s.onLineTooLong();
        assertThat(third).isInstanceOf(ImapAction.Close.class);
        assertThat(text(third)).isEqualTo("* BAD Command line too long\r\n* BYE Too many errors\r\n");
    }

    @Test
    void commandsNotAllowedNowDoNotCountAsErrors() {
        maxErrors = 2;
        ImapSession s = in(Start.PLAINTEXT);
        for (int i = 0; i < 5; i++)
            assertThat(s.onCommand(bytes("a SELECT INBOX"))).isInstanceOf(ImapAction.Send.class);
        assertThat(s.onCommand(bytes("b FROB"))).isInstanceOf(ImapAction.Send.class);
        assertThat(s.onCommand(bytes("c FROB"))).isInstanceOf(ImapAction.Close.class);
    }

    @Test
    void fetchAnswersFromTheSelectedViewAndTheMessage() {
        ImapSession s = in(Start.SELECTED);
        assertThat(all(s, "a FETCH 1:* (UID FLAGS)"))
                .isEqualTo("* 1 FETCH (UID 1 FLAGS ())\r\n* 2 FETCH (UID 2 FLAGS ())\r\na OK FETCH completed\r\n");
        assertThat(all(s, "b UID FETCH 2 (RFC822.SIZE INTERNALDATE)")).isEqualTo("* 2 FETCH (UID 2 RFC822.SIZE "
                + INBOX_2.length() + " INTERNALDATE \"02-Jan-2026 03:04:05 +0000\")\r\nb OK UID FETCH completed\r\n");
        assertThat(all(s, "c FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
                .isEqualTo("* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: hello\r\n\r\n)\r\n"
                        + "c OK FETCH completed\r\n");
        assertThat(backend.box("INBOX").messages.get(1L).flags).isEmpty(); // PEEK
    }

    @Test
    void partialFetchesSliceTheOctetsAndNameTheOrigin() {
        ImapSession s = in(Start.SELECTED);
        assertThat(all(s, "a FETCH 1 (BODY.PEEK[TEXT]<3.4>)"))
                .isEqualTo("* 1 FETCH (BODY[TEXT]<3> {4}\r\nther)\r\na OK FETCH completed\r\n");
        assertThat(all(s, "b FETCH 1 (BODY.PEEK[TEXT]<100.4>)"))
                .isEqualTo("* 1 FETCH (BODY[TEXT]<100> {0}\r\n)\r\nb OK FETCH completed\r\n");
        assertThat(all(s, "c FETCH 2 (BINARY.PEEK[1]<1.3> BINARY.SIZE[1])"))
                .isEqualTo("* 2 FETCH (BINARY[1]<1> {3}\r\n\u00e9l BINARY.SIZE[1] 6)\r\nc OK FETCH completed\r\n");
    }

    @Test
    void fetchingTheBodySetsSeenAndReportsTheFlags() {
        ImapSession s = in(Start.SELECTED);
        assertThat(all(s, "a FETCH 1 (BODY[TEXT])"))
                .isEqualTo("* 1 FETCH (BODY[TEXT] {10}\r\nhi there\r\n FLAGS (\\Seen))\r\na OK FETCH completed\r\n");
        assertThat(all(s, "b FETCH 1 (BODY[TEXT])")) // already seen: nothing changes, no FLAGS
                .isEqualTo("* 1 FETCH (BODY[TEXT] {10}\r\nhi there\r\n)\r\nb OK FETCH completed\r\n");
        ImapSession ro = in(Start.EXAMINED);
        assertThat(all(ro, "c FETCH 2 (RFC822.HEADER)")).doesNotContain("FLAGS");
        assertThat(all(ro, "d FETCH 2 (RFC822)")).doesNotContain("FLAGS");
        assertThat(backend.box("INBOX").messages.get(2L).flags).isEmpty(); // EXAMINE: read-only
    }

    @Test
    void anUnknownEncodingRefusesOnlyThatMessagesLine() {
        ImapSession s = in(Start.SELECTED);
        assertThat(all(s, "a FETCH 1:2 (BINARY.PEEK[2])")).isEqualTo("* 1 FETCH (BINARY[2] {0}\r\n)\r\n"
                + "a NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding; use BODY[]\r\n");
    }

    @Test
    void structureComesFromTheSummaryWhichIsSavedOnce() {
        ImapSession s = in(Start.SELECTED);
        String first = all(s, "a FETCH 1 (ENVELOPE BODYSTRUCTURE)");
        assertThat(first).startsWith("* 1 FETCH (ENVELOPE (NIL \"hello\" ((\"Bob\" NIL \"bob\" \"example.net\"))")
                .contains(" BODYSTRUCTURE (\"TEXT\" \"PLAIN\"").endsWith("a OK FETCH completed\r\n");
        long inbox = backend.box("INBOX").id;
        assertThat(backend.savedSummaries.get(inbox)).containsOnlyKeys(1L);
        assertThat(all(s, "b FETCH 1 (ENVELOPE BODYSTRUCTURE)")).isEqualTo(first.replace("a OK", "b OK"));
    }

    @Test
    void changedSinceReportsOnlyNewerMessagesWithTheirModseq() {
        ImapSession s = in(Start.SELECTED);
        all(s, "a STORE 2 +FLAGS.SILENT (\\Flagged)");
        long modseq = backend.box("INBOX").messages.get(2L).modseq;
        assertThat(all(s, "b FETCH 1:* (FLAGS) (CHANGEDSINCE " + (modseq - 1) + ")"))
                .isEqualTo("* 2 FETCH (FLAGS (\\Flagged) MODSEQ (" + modseq + "))\r\nb OK FETCH completed\r\n");
        assertThat(all(s, "c UID FETCH 1:* (ENVELOPE) (CHANGEDSINCE " + (modseq - 1) + ")"))
                .startsWith("* 2 FETCH (UID 2 ENVELOPE (").contains(" MODSEQ (" + modseq + "))\r\n")
                .doesNotContain("* 1 FETCH");
    }

    @Test
    void vanishedEarlierNamesTheExpungedUids() {
        ImapSession s = in(Start.SELECTED);
        all(s, "a ENABLE QRESYNC");
        all(s, "b STORE 1 +FLAGS.SILENT (\\Deleted)");
        assertThat(all(s, "c EXPUNGE")).isEqualTo("* VANISHED 1\r\nc OK EXPUNGE completed\r\n");
        assertThat(all(s, "d UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"))
                .startsWith("* VANISHED (EARLIER) 1\r\n* 1 FETCH (UID 2 FLAGS () MODSEQ (");
    }

    @Test
    void logoutAndALostConnectionFreeTheUsersSlot() {
        ImapSession s = in(Start.SELECTED);
        s.connectionLost();
        assertThat(backend.logouts).containsExactly(InMemoryBackend.USER);
        assertThat(backend.box("INBOX").watchers).isEmpty();
    }

    static String reject(ImapSession.LiteralDecision d) {
        assertThat(d).isInstanceOf(ImapSession.LiteralDecision.Reject.class);
        ImapSession.LiteralDecision.Reject r = (ImapSession.LiteralDecision.Reject) d;
        return new String(r.reply(), StandardCharsets.US_ASCII);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(bytes(s));
    }
}
