package moat.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import moat.core.config.Setting;
import moat.core.config.Units;

/**
 * {@code moat config set}: one key of moat.toml changed in place, every other line (comments,
 * order, blank lines) kept byte for byte. The value is checked with the loader's own rules, the
 * whole edited file is loaded again before it is written, and it replaces the old one
 * atomically (temp file, fsync, rename, same mode), so a refused or interrupted edit leaves the
 * file as it was.
 *
 * <p>Where the line goes: the key's own line (in a {@code [table]} or as a dotted key); else its
 * commented-out line, uncommented (the generated file has one per key); else after the last line
 * of its section, or in its {@code [table]}; else at the end (as a new table in a table-style file).
 *
 * <p>LIMITATION: a key given in an inline table ({@code server = { port_offset = 1 }}) or with a
 * quoted key is not recognised; the edit then adds a duplicate, which the re-load refuses.
 */
public final class ConfigFile {
    private static final TomlMapper TOML = new TomlMapper();
    private static final Pattern KEY = Pattern.compile("\\s*([A-Za-z0-9_-]+(?:\\s*\\.\\s*[A-Za-z0-9_-]+)*)\\s*=");
    private static final Pattern COMMENTED = Pattern.compile("\\s*#\\s*([a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)*)\\s*=\\s*\\S");
    private static final Pattern HEADER = Pattern.compile("\\s*\\[\\[?\\s*([A-Za-z0-9_.\\s-]+?)\\s*]]?\\s*(#.*)?");

    private ConfigFile() {}

    /**
     * The TOML text to write for {@code arg} as the value of {@code setting}: TOML syntax
     * ({@code "5m"}, {@code 10000}, {@code ["a", "b"]}, {@code true}), or for a string, duration,
     * size, path or port a plain word ({@code 2s}, {@code mail.example.org}, {@code off}).
     *
     * @throws IllegalArgumentException with the loader's message ({@code key = value: why})
     */
    public static String valueText(Setting<?> setting, String arg) {
        if (arg.indexOf('\n') >= 0 || arg.indexOf('\r') >= 0)
            throw new IllegalArgumentException(setting.key() + ": a value is one line");
        Optional<JsonNode> toml = parseToml(arg);
        IllegalArgumentException first = null;
        if (toml.isPresent()) {
            try {
                return render(setting, toml.get());
            } catch (IllegalArgumentException e) {
                if (toml.get().isTextual() || !plainWordsAllowed(setting.kind())) throw e;
                first = e;
            }
        }
        if (!plainWordsAllowed(setting.kind())) {
            throw new IllegalArgumentException(setting.key() + " = " + arg + ": not a TOML value; write e.g. "
                    + example(setting.kind()));
        }
        try {
            return render(setting, TextNode.valueOf(arg.strip()));
        } catch (IllegalArgumentException e) {
            throw first != null ? first : e;
        }
    }

    private static String render(Setting<?> setting, JsonNode node) {
        String shown = setting.key() + " = " + (node.isTextual() ? Units.tomlString(node.textValue()) : node.toString());
        Object value;
        try {
            value = TomlValues.convert(setting.kind(), node);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(shown + ": " + e.getMessage(), e);
        }
        @SuppressWarnings("unchecked")
        Optional<String> problem = ((Setting<Object>) setting).check(value);
        if (problem.isPresent()) throw new IllegalArgumentException(shown + ": " + problem.get());
        // The admin's spelling of a duration or size ("90s", not "1m30s" rewritten) when quoted.
        return node.isTextual() ? Units.tomlString(node.textValue()) : Units.toml(setting.kind(), value);
    }

    private static Optional<JsonNode> parseToml(String arg) {
        try {
            JsonNode root = TOML.readTree("v = " + arg + "\n");
            if (root == null || root.size() != 1 || !root.has("v")) return Optional.empty();
            return Optional.of(root.get("v"));
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    private static boolean plainWordsAllowed(Setting.Kind kind) {
        return switch (kind) {
            case STRING, DURATION, BYTES, PATH, PORT -> true;
            case INT, LONG, BOOL, STRING_LIST -> false;
        };
    }

    private static String example(Setting.Kind kind) {
        return switch (kind) {
            case INT, LONG -> "100";
            case BOOL -> "true or false";
            case STRING_LIST -> "'[\"a\", \"b\"]' (quoted for the shell)";
            case STRING, PATH -> "\"text\"";
            case DURATION -> "30s";
            case BYTES -> "25MiB";
            case PORT -> "10025, off or ephemeral";
        };
    }

    /**
     * {@code text} with {@code key} set to {@code valueText} (TOML source), every other line as it
     * was. Does not validate; {@link #set} does.
     */
    public static String withValue(String text, String key, String valueText) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        List<Statement> statements = scan(lines);
        Optional<Statement> live = statements.stream().filter(s -> s.kind == Kind.ASSIGNMENT && s.key.equals(key))
                .findFirst();
        if (live.isPresent()) {
            Statement s = live.get();
            String last = lines.get(s.lastLine);
            String head = lines.get(s.firstLine).substring(0, s.valueStart);
            String tail = last.substring(s.valueEnd);
            for (int i = s.lastLine; i > s.firstLine; i--) lines.remove(i);
            lines.set(s.firstLine, head + valueText + tail);
            return join(lines, text);
        }
        Optional<Statement> commented = statements.stream()
                .filter(s -> s.kind == Kind.COMMENTED && s.key.equals(key)).reduce((a, b) -> b);
        if (commented.isPresent()) {
            Statement s = commented.get();
            String line = lines.get(s.firstLine);
            String indent = line.substring(0, line.length() - line.stripLeading().length());
            lines.set(s.firstLine, indent + s.writtenKey + " = " + valueText);
            return join(lines, text);
        }
        return join(insert(lines, statements, key, valueText), text);
    }

    private static List<String> insert(List<String> lines, List<Statement> statements, String key, String valueText) {
        String section = key.substring(0, key.lastIndexOf('.'));
        String name = key.substring(section.length() + 1);
        boolean tables = statements.stream().anyMatch(s -> s.kind == Kind.HEADER);
        // In its [section] table, after the table's last line that says something.
        Optional<Statement> header = statements.stream()
                .filter(s -> s.kind == Kind.HEADER && s.table.equals(section)).findFirst();
        if (header.isPresent()) {
            int at = header.get().lastLine;
            for (Statement s : statements)
                if (s.firstLine > at && s.kind != Kind.HEADER && s.table.equals(section)) at = s.lastLine;
                else if (s.firstLine > header.get().lastLine && s.kind == Kind.HEADER) break;
            lines.add(at + 1, name + " = " + valueText);
            return lines;
        }
        // A dotted key outside any table: after the last line of its section.
        int at = -1;
        for (Statement s : statements) {
            if (s.kind == Kind.HEADER) break;
            if (s.key.startsWith(section + ".")) at = s.lastLine;
        }
        if (at >= 0) {
            lines.add(at + 1, key + " = " + valueText);
            return lines;
        }
        if (!lines.isEmpty() && !lines.getLast().isBlank()) lines.add("");
        if (tables) {
            // Appended below the last table it would belong to that table: a table of its own.
            lines.add("[" + section + "]");
            lines.add(name + " = " + valueText);
        } else {
            lines.add(key + " = " + valueText);
        }
        return lines;
    }

    private static String join(List<String> lines, String original) {
        String sep = original.contains("\r\n") ? "\r\n" : "\n";
        return String.join(sep, lines) + sep;
    }

    /**
     * Sets {@code key} in {@code file} to {@code arg} (see {@link #valueText}) after checking the
     * value and the whole resulting file with the loader; the file is untouched when either fails.
     *
     * @return the TOML text written as the value
     */
    public static String set(Path file, String key, String arg) throws ConfigException, IOException {
        Setting<?> setting = Config.setting(key);
        String valueText;
        try {
            valueText = valueText(setting, arg);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        Path real = file.toRealPath();
        String before = Files.readString(real, StandardCharsets.UTF_8);
        String after = withValue(before, key, valueText);
        Config.parse(after, file.toString(), Settings.ALL); // the whole file, as the next start will read it
        writeAtomically(real, after);
        return valueText;
    }

    /** Temp file beside {@code file}, fsync, same permissions, rename over it, fsync the directory. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            PosixFileAttributeView from = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            PosixFileAttributeView to = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (from != null && to != null) to.setPermissions(from.readAttributes().permissions());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(StandardCharsets.UTF_8.encode(text));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself survives a power loss
        } catch (IOException e) {
            // Some file systems cannot open a directory for fsync; the rename is still atomic.
        }
    }

    private enum Kind { ASSIGNMENT, COMMENTED, HEADER }

    /**
     * One statement of the file. {@code key} is the full dotted key (table prefix included);
     * {@code writtenKey} is the key as written on the line; the value of an assignment runs from
     * column {@code valueStart} of {@code firstLine} to column {@code valueEnd} of {@code lastLine}.
     */
    private record Statement(Kind kind, String table, String key, String writtenKey, int firstLine, int lastLine,
                             int valueStart, int valueEnd) {}

    private static List<Statement> scan(List<String> lines) {
        List<Statement> out = new ArrayList<>();
        String table = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.isEmpty()) continue;
            if (trimmed.startsWith("#")) {
                Matcher c = COMMENTED.matcher(line);
                if (c.lookingAt()) {
                    String written = c.group(1);
                    out.add(new Statement(Kind.COMMENTED, table, full(table, written), written, i, i, 0, 0));
                }
                continue;
            }
            if (trimmed.startsWith("[")) {
                Matcher h = HEADER.matcher(line);
                if (h.matches()) {
                    table = h.group(1).replaceAll("\\s", "");
                    out.add(new Statement(Kind.HEADER, table, table, table, i, i, 0, 0));
                }
                continue;
            }
            Matcher k = KEY.matcher(line);
            if (!k.lookingAt()) continue; // not a statement this editor understands; the re-load judges it
            String written = k.group(1).replaceAll("\\s", "");
            int start = k.end();
            while (start < line.length() && (line.charAt(start) == ' ' || line.charAt(start) == '\t')) start++;
            int[] end = valueEnd(lines, i, start);
            out.add(new Statement(Kind.ASSIGNMENT, table, full(table, written), written, i, end[0], start, end[1]));
            i = end[0];
        }
        return out;
    }

    private static String full(String table, String key) {
        return table.isEmpty() ? key : table + "." + key;
    }

    /**
     * Where a value that starts at {@code (line, col)} ends: {line, column after its last
     * character}. Follows TOML's strings (basic, literal, multi-line), arrays and inline tables
     * across lines; a {@code #} outside a string starts the trailing comment.
     */
    private static int[] valueEnd(List<String> lines, int line, int col) {
        int depth = 0;
        String open = null; // the delimiter of the string we are in
        int lastCode = col;
        for (int l = line; l < lines.size(); l++) {
            String s = lines.get(l);
            int i = l == line ? col : 0;
            if (open == null && depth == 0 && l > line) return new int[] {l - 1, lastCode};
            while (i < s.length()) {
                char c = s.charAt(i);
                if (open != null) {
                    if (open.equals("\"") || open.equals("\"\"\"")) {
                        if (c == '\\') {
                            i += 2;
                            lastCode = Math.min(i, s.length());
                            continue;
                        }
                    }
                    if (s.startsWith(open, i)) {
                        i += open.length();
                        // """a"""" : up to two more quotes belong to the string
                        while (open.length() == 3 && i < s.length() && s.charAt(i) == open.charAt(0)) i++;
                        open = null;
                    } else {
                        i++;
                    }
                    lastCode = i;
                    continue;
                }
                if (c == '#') break;
                if (c == '"' || c == '\'') {
                    String triple = String.valueOf(c).repeat(3);
                    open = s.startsWith(triple, i) ? triple : String.valueOf(c);
                    i += open.length();
                    lastCode = i;
                    continue;
                }
                if (c == '[' || c == '{') depth++;
                if (c == ']' || c == '}') depth--;
                if (c != ' ' && c != '\t') lastCode = i + 1;
                i++;
            }
            if (open != null && open.length() == 1) open = null; // a one-line string cannot go on; let the loader say so
            if (open == null && depth <= 0) return new int[] {l, lastCode};
            if (l < lines.size() - 1) lastCode = 0;
        }
        return new int[] {lines.size() - 1, lines.getLast().length()};
    }
}
