package moat.protocol.mime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.Base64OutputStream;
import org.apache.james.mime4j.codec.QuotedPrintableOutputStream;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * Rewrites a message so that its body is 7-bit (RFC 6152 section 3, RFC 2045 section 6), for a
 * peer that does not offer 8BITMIME. Only leaves that need it are re-encoded: a text leaf with
 * 8-bit octets (or over-long lines) becomes quoted-printable, any other leaf base64; composite
 * entities (multipart, message/rfc822) labelled 8bit/binary are relabelled 7bit because their
 * content now is (RFC 2046 section 5: composites may only carry 7bit, 8bit or binary). Leaves
 * already 7-bit are copied octet for octet; header fields are copied as they are except the
 * Content-Transfer-Encoding of a converted entity.
 *
 * <p>The caller checks the result again: a body that is still 8-bit (an octet above 127 inside
 * a "base64" part, a message/rfc822 deeper than {@link #MAX_DEPTH}) cannot be converted and
 * must fail as before (5.6.3).
 */
public final class SevenBit {
    /** Nesting deeper than this is copied as it is (the caller's re-check then decides). */
    public static final int MAX_DEPTH = 20;
    /** RFC 5322 section 2.1.1: a 7bit line is at most 998 octets before CRLF. */
    private static final int MAX_LINE = 998;
    private static final byte[] CRLF = {'\r', '\n'};

    private SevenBit() {}

    /** True when any body octet of raw is above 127 (header octets are SMTPUTF8's concern, not this). */
    public static boolean hasEightBitBody(byte[] raw) {
        int body = bodyStart(raw);
        for (int i = body; i < raw.length; i++) if (raw[i] < 0) return true;
        return false;
    }

    /** The converted message; a message without 8-bit body octets comes back unchanged. */
    public static byte[] convert(byte[] raw) throws IOException {
        if (!hasEightBitBody(raw)) return raw;
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + raw.length / 3 + 256);
        convert(new java.io.ByteArrayInputStream(raw), out);
        return out.toByteArray();
    }

    private record Multipart(String boundary, boolean[] firstPart) {}

    /** Streams in to out, buffering one entity's header and one leaf body at a time. */
    public static void convert(InputStream in, OutputStream out) throws IOException {
        MimeConfig config = new MimeConfig.Builder().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(10_000)
                .setMaxContentLen(-1).setStrictParsing(false).build();
        MimeTokenStream tokens = new MimeTokenStream(config);
        tokens.setRecursionMode(RecursionMode.M_RECURSE);
        tokens.parse(in);
        List<ByteSequence> fields = new ArrayList<>();
        Deque<Multipart> multiparts = new ArrayDeque<>();
        boolean messageHeader = true; // the header now being read belongs to a message (top or message/rfc822)
        boolean pending = false; // an entity's header was read but not yet written
        int depth = 0;
        try {
            for (EntityState s = tokens.getState(); s != EntityState.T_END_OF_STREAM; s = tokens.next()) {
                switch (s) {
                    case T_START_MESSAGE -> {
                        if (pending) { // an enclosing message/rfc822 part: its content is now 7-bit
                            writeHeader(out, fields, relabel(fields), false);
                            fields.clear();
                            pending = false;
                        }
                        messageHeader = true;
                        if (++depth >= MAX_DEPTH) tokens.setRecursionMode(RecursionMode.M_NO_RECURSE);
                    }
                    case T_END_MESSAGE -> depth--;
                    case T_START_BODYPART -> {
                        Multipart m = multiparts.peek();
                        if (m != null) {
                            if (!m.firstPart()[0]) out.write(CRLF);
                            m.firstPart()[0] = false;
                            out.write(("--" + m.boundary()).getBytes(StandardCharsets.US_ASCII));
                            out.write(CRLF);
                        }
                        messageHeader = false;
                    }
                    case T_FIELD -> fields.add(tokens.getField().getRaw());
                    case T_END_HEADER -> pending = true;
                    case T_START_MULTIPART -> {
                        writeHeader(out, fields, relabel(fields), false);
                        multiparts.push(new Multipart(tokens.getBodyDescriptor().getBoundary(), new boolean[] {true}));
                        fields.clear();
                        pending = false;
                    }
                    case T_PREAMBLE -> {
                        byte[] pre = tokens.getInputStream().readAllBytes();
                        out.write(pre);
                        if (pre.length > 0) {
                            out.write(CRLF);
                        }
                    }
                    case T_EPILOGUE -> {
                        Multipart m = multiparts.peek();
                        if (m != null) {
                            out.write(CRLF);
                            out.write(("--" + m.boundary() + "--").getBytes(StandardCharsets.US_ASCII));
                            out.write(CRLF);
                        }
                        out.write(tokens.getInputStream().readAllBytes());
                    }
                    case T_END_MULTIPART -> multiparts.pop();
                    case T_BODY -> {
                        leaf(out, fields, tokens.getBodyDescriptor(), tokens.getInputStream().readAllBytes(),
                                messageHeader);
                        fields.clear();
                        pending = false;
                    }
                    default -> { } // T_START_HEADER, T_END_BODYPART: nothing to write
                }
            }
        } catch (MimeException e) {
            throw new IOException("cannot parse the message for 7-bit conversion: " + e.getMessage(), e);
        }
    }

    /** The new Content-Transfer-Encoding of a composite: 7bit where it said 8bit or binary, else none (keep). */
    private static String relabel(List<ByteSequence> fields) {
        for (ByteSequence f : fields) {
            if (!fieldName(f).equals("content-transfer-encoding")) continue;
            String raw = new String(f.toByteArray(), StandardCharsets.ISO_8859_1);
            String cte = raw.substring(raw.indexOf(':') + 1).strip().toLowerCase(Locale.ROOT);
            return cte.equals("8bit") || cte.equals("binary") ? "7bit" : null;
        }
        return null;
    }

    private static void leaf(OutputStream out, List<ByteSequence> fields, BodyDescriptor d, byte[] body,
                             boolean message) throws IOException {
        String cte = d.getTransferEncoding().toLowerCase(Locale.ROOT);
        boolean encoded = cte.equals("base64") || cte.equals("quoted-printable");
        if (encoded || !needsConversion(body, cte)) {
            writeHeader(out, fields, null, false);
            out.write(body);
            return;
        }
        boolean text = d.getMediaType().equalsIgnoreCase("text") && !cte.equals("binary");
        ByteArrayOutputStream converted = new ByteArrayOutputStream(body.length + body.length / 3 + 16);
        try (OutputStream enc = text ? new QuotedPrintableOutputStream(converted, false)
                : new Base64OutputStream(converted)) {
            enc.write(body);
        }
        writeHeader(out, fields, text ? "quoted-printable" : "base64", message);
        out.write(converted.toByteArray());
    }

    private static boolean needsConversion(byte[] body, String cte) {
        if (cte.equals("binary")) return true;
        int line = 0;
        for (byte b : body) {
            if (b < 0 || b == 0) return true;
            if (b == '\n') line = 0;
            else if (++line > MAX_LINE) return true;
        }
        return false;
    }

    /**
     * Writes the header fields; with a new encoding, any Content-Transfer-Encoding field is
     * dropped and the new one appended (and MIME-Version added to a message header without one,
     * RFC 2045 section 4, or the encoding would not be interpreted).
     */
    private static void writeHeader(OutputStream out, List<ByteSequence> fields, String newCte, boolean message)
            throws IOException {
        boolean mimeVersion = false;
        for (ByteSequence f : fields) {
            String name = fieldName(f);
            if (newCte != null && name.equals("content-transfer-encoding")) continue;
            if (name.equals("mime-version")) mimeVersion = true;
            out.write(f.toByteArray());
            out.write(CRLF);
        }
        if (newCte != null) {
            if (message && !mimeVersion) out.write("MIME-Version: 1.0\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(("Content-Transfer-Encoding: " + newCte + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.write(CRLF);
    }

    private static String fieldName(ByteSequence f) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < f.length() && f.byteAt(i) != ':' && sb.length() < 80; i++) sb.append((char) f.byteAt(i));
        return sb.toString().strip().toLowerCase(Locale.ROOT);
    }

    /** Offset of the body: after the first empty line (CRLF CRLF or LF LF), or the end. */
    private static int bodyStart(byte[] raw) {
        for (int i = 0; i + 1 < raw.length; i++) {
            if (raw[i] == '\n' && raw[i + 1] == '\n') return i + 2;
            if (raw[i] == '\n' && raw[i + 1] == '\r' && i + 2 < raw.length && raw[i + 2] == '\n') return i + 3;
        }
        return raw.length;
    }
}
