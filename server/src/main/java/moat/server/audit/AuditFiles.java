package moat.server.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The audit log's files on disk: the current file ({@code log.audit_file}) and the rotated ones
 * beside it, {@code <name>.<UTC yyyyMMdd'T'HHmmss'Z'>-<last seq, 19 digits>}, gzip-compressed
 * ({@code .gz}) after rotation. Their names sort in the order they were written, so
 * {@link #inOrder} is the order {@code moat log verify} reads them in (docs/adr/0027).
 */
public final class AuditFiles {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    /** The longest last line looked for in a plain file; longer means "not a chained line". */
    private static final int TAIL_LIMIT = 1 << 20;

    private AuditFiles() {}

    /** The name a file of {@code current} gets when rotated at {@code at} with {@code lastSeq} as its last line. */
    static Path rotatedName(Path current, Instant at, long lastSeq) {
        return current.resolveSibling(current.getFileName() + "." + STAMP.format(at) + "-" + String.format("%019d", lastSeq));
    }

    private static Pattern rotated(Path current) {
        return Pattern.compile(Pattern.quote(current.getFileName().toString()) + "\\.\\d{8}T\\d{6}Z-\\d{19}(\\.gz)?");
    }

    /** The rotated files of {@code current}, oldest first (plain or compressed, not the current file). */
    public static List<Path> rotatedFiles(Path current) throws IOException {
        Path dir = current.toAbsolutePath().getParent();
        List<Path> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) return out;
        Pattern p = rotated(current);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) if (p.matcher(f.getFileName().toString()).matches()) out.add(f);
        }
        // while one is being compressed both exist for a moment, each complete: read the .gz
        out.removeIf(f -> !f.getFileName().toString().endsWith(".gz") && out.contains(Path.of(f + ".gz")));
        out.sort((a, b) -> stem(a).compareTo(stem(b)));
        return out;
    }

    /** Every file of the log, oldest first: the rotated ones, then the current one if it exists. */
    public static List<Path> inOrder(Path current) throws IOException {
        List<Path> all = new ArrayList<>(rotatedFiles(current));
        if (Files.exists(current)) all.add(current);
        return all;
    }

    private static String stem(Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
    }

    /** Lines of a plain or {@code .gz} file. */
    public static BufferedReader reader(Path f) throws IOException {
        InputStream in = Files.newInputStream(f);
        if (f.getFileName().toString().endsWith(".gz")) in = new GZIPInputStream(in);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The file's last line, and whether a plain file ends without a line feed (a torn write). */
    record Tail(Optional<String> last, boolean torn) {
        static final Tail NONE = new Tail(Optional.empty(), false);
    }

    static Tail tail(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) return Tail.NONE;
        if (file.getFileName().toString().endsWith(".gz")) {
            // only read at start when the current file is missing right after a rotation: rare
            String last = null;
            try (BufferedReader r = reader(file)) {
                for (String l = r.readLine(); l != null; l = r.readLine()) last = l;
            }
            return new Tail(Optional.ofNullable(last), false);
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long size = f.length();
            int n = (int) Math.min(size, TAIL_LIMIT);
            byte[] buf = new byte[n];
            f.seek(size - n);
            f.readFully(buf);
            if (buf[n - 1] != '\n') return new Tail(Optional.empty(), true);
            int start = n - 2;
            while (start >= 0 && buf[start] != '\n') start--;
            if (start < 0 && n < size) return Tail.NONE;
            return new Tail(Optional.of(new String(buf, start + 1, n - 2 - start, StandardCharsets.UTF_8)), false);
        }
    }

    /**
     * Compresses a rotated file: {@code f.gz.tmp} written and synced, renamed to {@code f.gz},
     * then {@code f} deleted; a crash leaves {@code f} whole (compressed again at the next start).
     */
    static void compress(Path f) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".gz.tmp");
        try (InputStream in = Files.newInputStream(f);
             FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE);
             OutputStream gz = new GZIPOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
            in.transferTo(gz);
            gz.flush();
            ((GZIPOutputStream) gz).finish();
            ch.force(true);
        }
        // keeps the rotation time, which audit.retention counts from
        Files.setLastModifiedTime(tmp, Files.getLastModifiedTime(f));
        Files.move(tmp, f.resolveSibling(f.getFileName() + ".gz"), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(f);
    }

    /** Deletes rotated files last modified before {@code before} (audit.retention). */
    static void expire(Path current, Instant before) throws IOException {
        for (Path f : rotatedFiles(current))
            if (Files.getLastModifiedTime(f).toInstant().isBefore(before)) Files.deleteIfExists(f);
    }
}
