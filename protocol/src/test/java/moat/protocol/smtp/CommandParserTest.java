package moat.protocol.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import moat.core.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandParserTest {
    @Test
    void parsesMailWithParameters() {
        var r = CommandParser.parse("mail from:<a@example.org> SIZE=100 body=8bitmime SMTPUTF8");
        assertThat(r).isInstanceOf(CommandParser.Result.Ok.class);
        var m = (SmtpCommand.Mail) ((CommandParser.Result.Ok) r).command();
        assertThat(m.path()).isEqualTo("a@example.org");
        assertThat(m.params()).containsEntry("SIZE", "100").containsEntry("BODY", "8bitmime").containsKey("SMTPUTF8");
    }

    @Test
    void toleratesOneSpaceAfterColon() {
        assertThat(CommandParser.parse("RCPT TO: <a@example.org>")).isInstanceOf(CommandParser.Result.Ok.class);
    }

    @Test
    void quotedLocalPartMayHoldAngleBracket() {
        var r = (CommandParser.Result.Ok) CommandParser.parse("RCPT TO:<\"a>b\"@example.org>");
        assertThat(((SmtpCommand.Rcpt) r.command()).path()).isEqualTo("\"a>b\"@example.org");
    }

    @ParameterizedTest
    @ValueSource(strings = {"MAIL FROM:a@example.org", "MAIL FROM:<a@example.org", "MAIL <a@b>", "RCPT TO:<a@b>X=1",
            "BDAT", "BDAT x", "BDAT 10 NOTLAST", "AUTH", "EHLO", "DATA now", "MAIL FROM:<a@b> SIZE=1 SIZE=2"})
    void refusesMalformedCommands(String line) {
        assertThat(CommandParser.parse(line)).isInstanceOf(CommandParser.Result.Error.class);
    }

    @Test
    void unknownVerbIs500() {
        var e = (CommandParser.Result.Error) CommandParser.parse("XYZZY");
        assertThat(e.reply().reason()).contains(Reason.SYNTAX_COMMAND);
    }
}
