package moat.protocol.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.junit.jupiter.api.Test;

class SevenBitTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean sevenBit(byte[] raw) {
        for (byte x : raw) if (x < 0 || x == 0) return false;
        return true;
    }

    private static int longestLine(byte[] raw) {
        int max = 0, line = 0;
        for (byte x : raw) {
            if (x == '\n') line = 0;
            else max = Math.max(max, ++line);
        }
        return max;
    }

    /** Decoded content of every leaf, depth first, as mime4j's DOM reads it. */
    private static List<byte[]> leaves(byte[] raw) throws Exception {
        Message m = new DefaultMessageBuilder().parseMessage(new ByteArrayInputStream(raw));
        List<byte[]> out = new ArrayList<>();
        collect(m, out);
        return out;
    }

    private static void collect(Entity e, List<byte[]> out) throws Exception {
        switch (e.getBody()) {
            case Multipart mp -> {
                for (Entity p : mp.getBodyParts()) collect(p, out);
            }
            case Message inner -> collect(inner, out);
            case SingleBody sb -> {
                try (var in = sb.getInputStream()) {
                    out.add(in.readAllBytes());
                }
            }
            default -> throw new AssertionError("unexpected body " + e.getBody());
        }
    }

    @Test
    void aSevenBitMessageIsReturnedUnchanged() throws Exception {
        byte[] raw = b("Subject: hi\r\n\r\nplain ascii\r\n");
        assertThat(SevenBit.convert(raw)).isSameAs(raw);
        assertThat(SevenBit.hasEightBitBody(raw)).isFalse();
        assertThat(SevenBit.hasEightBitBody(b("Subject: caf\u00e9\r\n\r\nascii body\r\n"))).as("header octets are SMTPUTF8's").isFalse();
    }

    @Test
    void anEightBitTextMessageBecomesQuotedPrintableWithTheSameContent() throws Exception {
        byte[] raw = b("From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nCaf\u00e9 cr\u00e8me = br\u00fbl\u00e9e\r\nsecond line\r\n");
        byte[] out = SevenBit.convert(raw);
        String s = new String(out, StandardCharsets.US_ASCII);
        assertThat(sevenBit(out)).isTrue();
        assertThat(s).contains("Content-Transfer-Encoding: quoted-printable\r\n").doesNotContain("8bit")
                .contains("MIME-Version: 1.0\r\n").startsWith("From: a@example.org\r\nSubject: x\r\n")
                .contains("Caf=C3=A9 cr=C3=A8me =3D br=C3=BBl=C3=A9e\r\nsecond line");
        assertThat(new String(leaves(out).get(0), StandardCharsets.UTF_8))
                .isEqualTo("Caf\u00e9 cr\u00e8me = br\u00fbl\u00e9e\r\nsecond line\r\n");
    }

    @Test
    void onlyThePartsThatNeedItAreConvertedInAMultipart() throws Exception {
        String seven = "Content-Type: text/plain\r\n\r\nseven bit part, kept octet for octet";
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) binary[i] = (byte) i;
        var raw = new java.io.ByteArrayOutputStream();
        raw.writeBytes(b("MIME-Version: 1.0\r\nSubject: m\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\npreamble\r\n--XX\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "gr\u00fc\u00dfe\r\n--XX\r\n" + seven + "\r\n--XX\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"));
        raw.writeBytes(binary);
        raw.writeBytes(b("\r\n--XX--\r\nepilogue\r\n"));
        byte[] out = SevenBit.convert(raw.toByteArray());
        String s = new String(out, StandardCharsets.US_ASCII);
        assertThat(sevenBit(out)).isTrue();
        assertThat(s).contains(seven + "\r\n--XX\r\n").contains("Content-Transfer-Encoding: base64")
                .contains("Content-Transfer-Encoding: quoted-printable").contains("--XX--")
                .doesNotContain("8bit").doesNotContain("binary");
        assertThat(s.indexOf("Content-Transfer-Encoding: 7bit")).as("the multipart is relabelled").isPositive();
        List<byte[]> parts = leaves(out);
        assertThat(parts).hasSize(3);
        assertThat(new String(parts.get(0), StandardCharsets.UTF_8)).isEqualTo("gr\u00fc\u00dfe");
        assertThat(new String(parts.get(1), StandardCharsets.US_ASCII)).isEqualTo("seven bit part, kept octet for octet");
        assertThat(parts.get(2)).isEqualTo(binary);
    }

    @Test
    void aForwardedMessageIsConvertedInsideAndRelabelled() throws Exception {
        byte[] raw = b("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n"
                + "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Subject: inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\u00e5ngstr\u00f6m\r\n--b1--\r\n");
        byte[] out = SevenBit.convert(raw);
        assertThat(sevenBit(out)).isTrue();
        String s = new String(out, StandardCharsets.US_ASCII);
        assertThat(s).contains("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit\r\n\r\nSubject: inner");
        assertThat(new String(leaves(out).get(0), StandardCharsets.UTF_8)).isEqualTo("\u00e5ngstr\u00f6m");
    }

    @Test
    void longEightBitLinesComeOutShortAndUnchangedWhenDecoded() throws Exception {
        String line = "\u00e9".repeat(1500);
        byte[] out = SevenBit.convert(b("Content-Type: text/plain; charset=utf-8\r\n\r\n" + line + "\r\n"));
        assertThat(sevenBit(out)).isTrue();
        assertThat(longestLine(out)).isLessThanOrEqualTo(78);
        assertThat(new String(leaves(out).get(0), StandardCharsets.UTF_8)).isEqualTo(line + "\r\n");
    }

    @Test
    void whatCannotBeConvertedStaysEightBitForTheCallerToRefuse() throws Exception {
        byte[] raw = b("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\u00ff\r\n");
        byte[] out = SevenBit.convert(raw);
        assertThat(SevenBit.hasEightBitBody(out)).isTrue();
    }

    @Test
    void deepNestingIsBoundedAndTerminates() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("Content-Type: message/rfc822\r\n\r\n");
        sb.append("Subject: bottom\r\n\r\n\u00e9\r\n");
        byte[] out = SevenBit.convert(b(sb.toString()));
        assertThat(out.length).isPositive(); // deeper than MAX_DEPTH is copied; the caller's re-check decides
    }
}
