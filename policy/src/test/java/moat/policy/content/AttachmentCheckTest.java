package moat.policy.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import moat.policy.CheckState;
import moat.policy.Content;
import moat.policy.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AttachmentCheckTest {
    private static final AttachmentCheck CHECK = new AttachmentCheck(Set.copyOf(AttachmentCheck.DEFAULT_EXTENSIONS), 20);

    /** One line per case: a Content-Disposition/Content-Type field body and the file name it gives. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "attachment; filename=\"evil.exe\"                          | evil.exe",
            "attachment; filename=evil.exe                              | evil.exe",
            "application/octet-stream; name=\"a.scr\"                   | a.scr",
            "attachment; filename*0=\"inv\"; filename*1=\"oice.js\"     | invoice.js",
            "attachment; filename*=UTF-8''%E2%82%AC.vbs                | \u20ac.vbs",
            "attachment; filename=\"=?UTF-8?B?ZXZpbC5leGU=?=\"          | evil.exe",
            "attachment; filename=\"a\\\"b.txt\"                         | a\"b.txt",
    })
    void findsTheFileName(String field, String name) {
        assertThat(AttachmentCheck.fileNames(field)).containsExactly(name);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "evil.exe     | exe",
            "EVIL.EXE     | exe",
            "'evil.exe. ' | exe",
            "a.tar.gz     | gz",
            "dir\\x.bat   | bat",
            "noext        | ''",
            "trailing.    | ''",
    })
    void extensionIsTheLastOneWithoutTrailingDotsAndSpaces(String name, String ext) {
        assertThat(AttachmentCheck.extension(name)).isEqualTo(ext.isEmpty() ? Optional.empty() : Optional.of(ext));
    }

    @Test
    void refusesAnExecutableInANestedMessageButNotADocument() {
        String nested = "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: message/rfc822\r\n\r\n"
                + "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                + "--i\r\nContent-Disposition: attachment; filename=run.EXE\r\n\r\nMZ\r\n--i--\r\n--o--\r\n";
        assertThat(judge(nested)).isInstanceOf(Verdict.Reject.class);
        assertThat(judge(nested.replace("run.EXE", "run.pdf"))).isInstanceOf(Verdict.NoOpinion.class);
    }

    @Test
    void refusesAStructureWithMorePartsThanItWalks() {
        StringBuilder sb = new StringBuilder("Content-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (int i = 0; i < 30; i++) sb.append("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n");
        sb.append("--b--\r\n");
        assertThat(judge(sb.toString())).isInstanceOfSatisfying(Verdict.Reject.class,
                r -> assertThat(r.detail()).contains("more than 20 MIME parts"));
    }

    @Test
    void plainTextIsNotParsedAtAll() {
        Content c = content("Subject: hi\r\n\r\nbody\r\n", () -> {
            throw new AssertionError("a single text part needs no walk");
        });
        assertThat(CHECK.data(new CheckState(InetAddress.getLoopbackAddress()), c)).isInstanceOf(Verdict.NoOpinion.class);
    }

    @Test
    void patternsSeeTheRawMessageAndNameOnlyThePosition() {
        PatternCheck p = new PatternCheck(List.of(Pattern.compile("nomatch"), Pattern.compile("(?i)bitcoin wallet")));
        Verdict v = p.data(new CheckState(InetAddress.getLoopbackAddress()),
                content("Subject: x\r\n\r\nSend to my Bitcoin Wallet\r\n", null));
        assertThat(v).isInstanceOfSatisfying(Verdict.Reject.class, r -> assertThat(r.detail()).endsWith("(pattern 2)"));
    }

    private static Verdict judge(String message) {
        return CHECK.data(new CheckState(InetAddress.getLoopbackAddress()), content(message, null));
    }

    private static Content content(String message, Content.Source source) {
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        String headers = message.substring(0, message.indexOf("\r\n\r\n") + 2);
        return new Content(Optional.empty(), List.of(), Optional.empty(), Map.of(), headers, b.length, 1 << 20,
                source != null ? source : () -> new ByteArrayInputStream(b));
    }
}
