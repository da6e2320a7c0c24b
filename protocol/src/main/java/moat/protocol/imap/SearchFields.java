package moat.protocol.imap;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;

/**
 * The top-level header fields of a message in the form header SEARCH keys match them (RFC 9051
 * section 6.4.4: HEADER, and SUBJECT/FROM/TO/CC/BCC, which are header keys too): unfolded
 * (RFC 5322 section 2.2.3), encoded-words decoded (RFC 2047), lower-cased, as UTF-8. Built once
 * per message and cached with its summary, so a SEARCH is a byte scan of ready strings instead
 * of a header parse per message per command.
 *
 * <p>The cached form holds only the {@link #CACHED} fields, the ones clients search for: a real
 * header section is mostly Received, DKIM-Signature, ARC and Authentication-Results fields,
 * several KB that every SEARCH would otherwise scan. A HEADER key naming another field reads
 * the cached raw header section (or the file) and builds the full form on the fly.
 *
 * <p>Encoding: for each field, its lower-cased name, NUL, its matched value, NUL. A NUL inside a
 * header (never valid, RFC 5322 section 2.2) becomes a space so the framing holds.
 *
 * <p>Case-insensitivity is {@code toLowerCase(Locale.ROOT)} on both sides, before UTF-8
 * encoding: UTF-8 is self-synchronising, so a byte substring of the encoded lower-cased value is
 * a character substring of it.
 *
 * <p>LIMITATION: a value matches only in decoded form (searching for the text of an
 * encoded-word itself finds nothing); an encoded-word in an undeclared charset stays as sent.
 */
final class SearchFields {
    /** Lower-cased names of the fields kept in the cached form: every address field, Subject, ids. */
    static final Set<String> CACHED = Set.of("subject", "from", "to", "cc", "bcc", "sender", "reply-to",
            "message-id", "in-reply-to", "list-id");

    /** The fields named in {@code names} (lower-cased): built on the fly for one SEARCH. */
    static byte[] of(List<MimePart.Header> headers, Set<String> names) {
        return encode(headers, names);
    }

    /** The {@link #CACHED} fields only: what the summary keeps. */
    static byte[] cached(List<MimePart.Header> headers) {
        return encode(headers, CACHED);
    }

    private static byte[] encode(List<MimePart.Header> headers, Set<String> names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(names.size() * 64);
        for (MimePart.Header h : headers) {
            if (!names.contains(h.name().toLowerCase(Locale.ROOT))) continue;
            out.writeBytes(encodePart(h.name()));
            out.write(0);
            out.writeBytes(encodePart(decoded(h.value())));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** The search string (or header name) as it is compared: lower-cased UTF-8. */
    static byte[] key(String s) {
        return encodePart(s);
    }

    private static byte[] encodePart(String s) {
        return s.replace('\0', ' ').toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 2047 encoded-words decoded; values without "=?" (nearly all) skip the decoder. */
    static String decoded(String value) {
        if (!value.contains("=?")) return value;
        try {
            return DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT);
        } catch (RuntimeException e) {
            return value; // a broken encoded-word is matched as sent
        }
    }

    /**
     * True when a field named {@code name} (lower-cased, from {@link #key}) has a value holding
     * {@code needle} (from {@link #key}); the empty needle asks whether the field exists.
     */
    static boolean matches(byte[] fields, byte[] name, byte[] needle) {
        int i = 0;
        int n = fields.length;
        while (i < n) {
            int nameEnd = indexOf0(fields, i, n);
            int valueEnd = indexOf0(fields, nameEnd + 1, n);
            if (nameEnd - i == name.length && regionEquals(fields, i, name)
                    && contains(fields, nameEnd + 1, valueEnd, needle)) return true;
            i = valueEnd + 1;
        }
        return false;
    }

    /** True when {@code needle} occurs anywhere in {@code fields} (names included): a pre-filter. */
    static boolean holds(byte[] fields, byte[] needle) {
        return contains(fields, 0, fields.length, needle);
    }

    private static int indexOf0(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == 0) return i;
        return to;
    }

    private static boolean regionEquals(byte[] b, int at, byte[] p) {
        for (int k = 0; k < p.length; k++) if (b[at + k] != p[k]) return false;
        return true;
    }

    private static boolean contains(byte[] b, int from, int to, byte[] p) {
        if (p.length == 0) return true;
        byte first = p[0];
        for (int i = from, last = to - p.length; i <= last; i++) {
            if (b[i] == first && regionEquals(b, i, p)) return true;
        }
        return false;
    }
}
