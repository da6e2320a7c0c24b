package moat.protocol.smtpclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reply;
import moat.protocol.smtpclient.ClientTransaction.Step;
import org.junit.jupiter.api.Test;

class ClientTransactionTest {
    static final EmailAddress A = EmailAddress.of("a@remote.example");
    static final EmailAddress B = EmailAddress.of("b@remote.example");
    static final ClientTransaction.Message MSG = new ClientTransaction.Message(Optional.of(EmailAddress.of("s@example.org")),
            List.of(A, B), 1234, false, false);

    static Reply reply(String... lines) {
        ReplyParser p = new ReplyParser();
        ReplyParser.Result r = null;
        for (String l : lines) r = p.line(l);
        return ((ReplyParser.Result.Complete) r).reply();
    }

    static Capabilities caps(String... ext) {
        String[] lines = new String[ext.length + 1];
        lines[0] = "250" + (ext.length == 0 ? " " : "-") + "peer.example";
        for (int i = 0; i < ext.length; i++) lines[i + 1] = "250" + (i == ext.length - 1 ? " " : "-") + ext[i];
        return Capabilities.parse(reply(lines));
    }

    @Test
    void pipelinedBatchGivesPerRecipientResults() {
        ClientTransaction t = new ClientTransaction(MSG, caps("PIPELINING", "SIZE 10000", "8BITMIME"));
        assertThat(t.start()).isEqualTo(new Step.Send(List.of("MAIL FROM:<s@example.org> SIZE=1234",
                "RCPT TO:<a@remote.example>", "RCPT TO:<b@remote.example>", "DATA")));
        assertThat(t.onReply(reply("250 2.1.0 ok"))).isInstanceOf(Step.Await.class);
        assertThat(t.onReply(reply("550 5.1.1 no such user"))).isInstanceOf(Step.Await.class);
        assertThat(t.onReply(reply("250 2.1.5 ok"))).isInstanceOf(Step.Await.class);
        assertThat(t.awaiting()).isEqualTo(ClientTransaction.Phase.DATA_INIT);
        assertThat(t.onReply(reply("354 go"))).isInstanceOf(Step.SendData.class);
        Step.Done done = (Step.Done) t.onReply(reply("250 2.0.0 queued"));
        assertThat(done.results().get(A).code()).isEqualTo(550);
        assertThat(done.results().get(A).status().orElseThrow().toString()).isEqualTo("5.1.1");
        assertThat(done.results().get(B).code()).isEqualTo(250);
    }

    @Test
    void oneCommandAtATimeWithoutPipeliningAndBdatWithChunking() {
        ClientTransaction t = new ClientTransaction(MSG, caps("CHUNKING"));
        assertThat(t.start()).isEqualTo(new Step.Send(List.of("MAIL FROM:<s@example.org>")));
        assertThat(t.onReply(reply("250 ok"))).isEqualTo(new Step.Send(List.of("RCPT TO:<a@remote.example>")));
        assertThat(t.onReply(reply("451 4.3.0 later"))).isEqualTo(new Step.Send(List.of("RCPT TO:<b@remote.example>")));
        assertThat(t.onReply(reply("250 ok"))).isEqualTo(new Step.SendBdat(1234));
        Step.Done done = (Step.Done) t.onReply(reply("250 ok"));
        assertThat(done.results().get(A).isTransient()).isTrue();
        assertThat(done.results().get(B).code()).isEqualTo(250);
    }

    @Test
    void failedMailFailsEveryRecipientAndAcceptedDataWithoutRecipientsIsEndedEmpty() {
        ClientTransaction t = new ClientTransaction(MSG, caps("PIPELINING"));
        t.start();
        t.onReply(reply("452 4.3.1 full"));
        t.onReply(reply("503 5.5.1 need MAIL"));
        t.onReply(reply("503 5.5.1 need MAIL"));
        assertThat(t.onReply(reply("354 go anyway"))).isEqualTo(new Step.Send(List.of(".")));
        Step.Done done = (Step.Done) t.onReply(reply("250 empty"));
        assertThat(done.results().values()).allSatisfy(r -> assertThat(r.code()).isEqualTo(452));
    }

    @Test
    void refusesLocallyWhatThePeerCannotCarry() {
        var utf8 = new ClientTransaction.Message(Optional.empty(), List.of(A), 10, true, true);
        Step.Done d1 = (Step.Done) new ClientTransaction(utf8, caps("8BITMIME")).start();
        assertThat(d1.results().get(A).status().orElseThrow().toString()).isEqualTo("5.6.7");
        Step.Done d2 = (Step.Done) new ClientTransaction(new ClientTransaction.Message(Optional.empty(), List.of(A), 10,
                true, false), caps("PIPELINING")).start();
        assertThat(d2.results().get(A).status().orElseThrow().toString()).isEqualTo("5.6.3");
        Step.Done d3 = (Step.Done) new ClientTransaction(MSG, caps("SIZE 1000")).start();
        assertThat(d3.results().get(B).code()).isEqualTo(552);
        assertThat(new ClientTransaction(utf8, caps("8BITMIME", "SMTPUTF8")).start())
                .isEqualTo(new Step.Send(List.of("MAIL FROM:<> BODY=8BITMIME SMTPUTF8")));
    }

    @Test
    void replyParserBoundsAndValidates() {
        ReplyParser p = new ReplyParser();
        assertThat(p.line("hello")).isInstanceOf(ReplyParser.Result.Malformed.class);
        assertThat(p.line("250-a")).isInstanceOf(ReplyParser.Result.Partial.class);
        assertThat(p.line("251 b")).isInstanceOf(ReplyParser.Result.Malformed.class);
        assertThat(p.line("699 x")).isInstanceOf(ReplyParser.Result.Malformed.class);
        for (int i = 0; i < ReplyParser.MAX_LINES; i++) assertThat(p.line("250-x")).isInstanceOf(ReplyParser.Result.Partial.class);
        assertThat(p.line("250-x")).isInstanceOf(ReplyParser.Result.Malformed.class);
        assertThat(reply("550 4.1.1 wrong class").status()).isEmpty();
    }

    @Test
    void dotStuffingAndTermination() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffer d = new DotStuffer(out);
        d.write(".a\r\nb\r\n..c\r\n.".getBytes(StandardCharsets.US_ASCII));
        d.finish();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("..a\r\nb\r\n...c\r\n..\r\n.\r\n");
        out.reset();
        DotStuffer e = new DotStuffer(out);
        for (byte b : "x\r\n.\r\n".getBytes(StandardCharsets.US_ASCII)) e.write(b);
        e.finish();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("x\r\n..\r\n.\r\n");
    }
}
