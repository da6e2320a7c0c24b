package moat.policy.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import moat.core.Reason;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Content;
import moat.policy.Verdict;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

/**
 * Refuses a message that carries an attachment whose file name ends in a blocked extension
 * ({@code .exe}, {@code .scr}, {@code .js}, ...): the commonest way malware arrives, and what
 * admins expect a mail server to stop. Walks every MIME part (nested messages too) with
 * mime4j's pull parser and looks at the {@code filename} of Content-Disposition and the
 * {@code name} of Content-Type. Not a reputation check: it runs for trusted and authenticated
 * senders too.
 */
public final class AttachmentCheck implements Check {
    /** Executables, scripts and shortcuts Windows runs on a double click; what mail filters commonly refuse. */
    public static final List<String> DEFAULT_EXTENSIONS = List.of("exe", "scr", "com", "pif", "bat", "cmd", "cpl",
            "msi", "msp", "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "lnk", "jar", "reg", "iso", "img");

    // name, filename, name*, name*0, name*0* ... (RFC 2231 section 3 continuations, section 4 charsets)
    private static final Pattern PARAM = Pattern.compile(
            "(?i)(?:^|;)\\s*(filename|name)(?:\\*(\\d{1,3}))?(\\*)?\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^;\\s]*)");

    private final Set<String> blocked;
    private final int maxParts;

    /** {@code extensions} without dots, any case; {@code maxParts}: a bigger structure is refused. */
    public AttachmentCheck(Set<String> extensions, int maxParts) {
        this.blocked = extensions.stream().map(e -> e.toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        if (maxParts < 1) throw new IllegalArgumentException("maxParts must be >= 1");
        this.maxParts = maxParts;
    }

    @Override
    public String name() {
        return "content.attachment";
    }

    @Override
    public boolean reputation() {
        return false;
    }

    @Override
    public Verdict data(CheckState state, Content content) {
        if (blocked.isEmpty()) return Verdict.noOpinion();
        // Most mail is one text part without a name: nothing to walk.
        String top = content.headers().toLowerCase(Locale.ROOT);
        if (!top.contains("multipart/") && !top.contains("message/") && !top.contains("name")) return Verdict.noOpinion();
        try (InputStream in = content.open()) {
            return walk(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Verdict walk(InputStream in) throws IOException {
        // The reader is bounded by the scan limit already: no line or header bound is needed to
        // stay in memory bounds, and a refused long line would stop the walk before the parts.
        MimeConfig cfg = MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(-1)
                .setMaxContentLen(-1).setStrictParsing(false).build();
        MimeTokenStream parser = new MimeTokenStream(cfg);
        parser.setRecursionMode(RecursionMode.M_RECURSE);
        parser.parse(in);
        int parts = 0;
        try {
            for (EntityState s = parser.getState(); s != EntityState.T_END_OF_STREAM; s = parser.next()) {
                if (Thread.currentThread().isInterrupted()) throw new IllegalStateException("content check interrupted");
                if (s == EntityState.T_START_HEADER && ++parts > maxParts) {
                    return new Verdict.Reject(Reason.CONTENT_ATTACHMENT, "Message refused: more than " + maxParts
                            + " MIME parts to inspect");
                }
                if (s != EntityState.T_FIELD) continue;
                Field f = parser.getField();
                String n = f.getName().toLowerCase(Locale.ROOT);
                if (!n.equals("content-disposition") && !n.equals("content-type")) continue;
                for (String file : fileNames(f.getBody())) {
                    Optional<String> ext = extension(file);
                    if (ext.isPresent() && blocked.contains(ext.get())) {
                        return new Verdict.Reject(Reason.CONTENT_ATTACHMENT,
                                Reason.CONTENT_ATTACHMENT.text() + " (." + ext.get() + ")");
                    }
                }
            }
        } catch (MimeException e) {
            // Lenient parsing raises none for malformed input; one here is a broken stream.
            throw new IOException("MIME walk failed: " + e.getMessage(), e);
        }
        return Verdict.noOpinion();
    }

    /** The file names a Content-Disposition or Content-Type field body names (unfolded, decoded). */
    static List<String> fileNames(String fieldBody) {
        String body = fieldBody.replaceAll("\r?\n[ \t]", " ");
        Map<String, TreeMap<Integer, String[]>> byParam = new java.util.LinkedHashMap<>();
        Matcher m = PARAM.matcher(body);
        while (m.find()) {
            String param = m.group(1).toLowerCase(Locale.ROOT);
            int index = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
            String value = m.group(4);
            if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2) {
                value = value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
            }
            byParam.computeIfAbsent(param, k -> new TreeMap<>()).putIfAbsent(index,
                    new String[] {value, m.group(3) == null ? "" : "*"});
        }
        List<String> names = new ArrayList<>();
        for (TreeMap<Integer, String[]> segments : byParam.values()) {
            StringBuilder sb = new StringBuilder();
            Charset charset = StandardCharsets.UTF_8;
            boolean first = true;
            for (String[] seg : segments.values()) {
                String v = seg[0];
                if (!seg[1].isEmpty()) {
                    if (first) {
                        // RFC 2231 section 4: charset'language'percent-encoded
                        int a = v.indexOf('\'');
                        int b = a < 0 ? -1 : v.indexOf('\'', a + 1);
                        if (b > a) {
                            charset = charset(v.substring(0, a));
                            v = v.substring(b + 1);
                        }
                    }
                    try {
                        v = URLDecoder.decode(v.replace("+", "%2B"), charset);
                    } catch (IllegalArgumentException e) {
                        // a malformed %-escape: judge the name as written
                    }
                }
                sb.append(v);
                first = false;
            }
            String name = sb.toString();
            if (name.contains("=?")) name = DecoderUtil.decodeEncodedWords(name, org.apache.james.mime4j.codec.DecodeMonitor.SILENT);
            names.add(name);
        }
        return names;
    }

    private static Charset charset(String name) {
        try {
            return name.isEmpty() ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    /** Lower-case extension; Windows ignores trailing dots and spaces ("evil.exe. " runs as evil.exe). */
    static Optional<String> extension(String fileName) {
        String n = fileName.strip().replaceAll("[. ]+$", "");
        int slash = Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\'));
        n = n.substring(slash + 1);
        int dot = n.lastIndexOf('.');
        if (dot < 0 || dot == n.length() - 1) return Optional.empty();
        return Optional.of(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
