package moat.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import moat.core.config.Setting;
import moat.core.config.SettingValues;
import moat.core.config.Units;

/**
 * Typed, validated settings: the defaults of {@link Settings#ALL} overlaid with a TOML file.
 * Immutable; {@link #with} returns a copy (for tests and for command-line overrides).
 *
 * <p>Loading is strict: an unknown key (usually a typo that would otherwise silently keep a
 * default), a wrong type or a value out of bounds is an error, and all of them are reported at once.
 */
public final class Config implements SettingValues {
    private static final TomlMapper TOML = new TomlMapper();

    private final Map<String, Setting<?>> registry;
    private final Map<String, Object> values;
    /** Where a relative server.data_dir starts: the directory of the file read; empty = the working directory. */
    private final Optional<Path> base;

    private Config(Map<String, Setting<?>> registry, Map<String, Object> values, Optional<Path> base) {
        this.registry = registry;
        this.values = values;
        this.base = base;
    }

    /** The defaults of {@link Settings#ALL}. */
    public static Config defaults() {
        return defaults(Settings.ALL);
    }

    public static Config defaults(List<Setting<?>> settings) {
        Map<String, Setting<?>> registry = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting<?> s : settings) {
            registry.put(s.key(), s);
            values.put(s.key(), s.defaultValue());
        }
        return new Config(Map.copyOf(registry), values, Optional.empty());
    }

    /** Reads a TOML file against {@link Settings#ALL}. */
    public static Config load(Path file) throws ConfigException {
        return load(file, Settings.ALL);
    }

    public static Config load(Path file, List<Setting<?>> settings) throws ConfigException {
        JsonNode root;
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            String why = e instanceof NoSuchFileException || !file.toFile().exists() ? "no such file" : e.toString();
            throw new ConfigException(file.toString(), why, e);
        }
        try {
            root = TOML.readTree(text);
        } catch (JacksonException e) {
            throw new ConfigException(file.toString(), tomlError(e, text), e);
        }
        Config config = fromTree(file.toString(), root, settings);
        return new Config(config.registry, config.values, Optional.of(file.toAbsolutePath().normalize().getParent()));
    }

    /** Parses TOML text (for tests and for {@code moat config check -}). */
    public static Config parse(String toml, String source, List<Setting<?>> settings) throws ConfigException {
        try {
            return fromTree(source, TOML.readTree(toml), settings);
        } catch (JacksonException e) {
            throw new ConfigException(source, tomlError(e, toml), e);
        }
    }

    /**
     * The parser's message with its line, and for "Duplicate key" which key and both lines: the
     * usual cause is a line appended (as the README shows) for a key the file already sets, e.g.
     * after {@code moat config set} uncommented it.
     */
    static String tomlError(JacksonException e, String text) {
        if (String.valueOf(e.getOriginalMessage()).toLowerCase(Locale.ROOT).contains("duplicate")) {
            // The parser's position is where it noticed (often the line after), so our own lines instead.
            Optional<String> duplicate = duplicateKey(text);
            if (duplicate.isPresent()) return "not valid TOML: " + duplicate.get();
        }
        StringBuilder m = new StringBuilder("not valid TOML");
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) m.append(" at line ").append(e.getLocation().getLineNr());
        return m.append(": ").append(e.getOriginalMessage()).toString();
    }

    private static final Pattern TABLE = Pattern.compile("^\\s*\\[\\s*([A-Za-z0-9_.\\-]+)\\s*\\]\\s*(#.*)?$");
    private static final Pattern KEY =
            Pattern.compile("^\\s*([A-Za-z0-9_\\-]+(?:\\s*\\.\\s*[A-Za-z0-9_\\-]+)*)\\s*=");

    /** The first bare (dotted) key set on two lines, with the table it is under; empty if none is found. */
    private static Optional<String> duplicateKey(String text) {
        Map<String, Integer> seen = new HashMap<>();
        String table = "";
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher t = TABLE.matcher(lines[i]);
            if (t.matches()) {
                table = t.group(1) + ".";
                continue;
            }
            Matcher k = KEY.matcher(lines[i]);
            if (!k.find()) continue;
            String key = table + k.group(1).replaceAll("\\s+", "");
            Integer first = seen.putIfAbsent(key, i + 1);
            if (first != null) {
                return Optional.of(key + " is set twice (lines " + first + " and " + (i + 1) + "); a key may be set"
                        + " once: delete one line (moat config set KEY VALUE changes the existing line in place)");
            }
        }
        return Optional.empty();
    }

    private static Config fromTree(String source, JsonNode root, List<Setting<?>> settings) throws ConfigException {
        Config config = defaults(settings);
        Map<String, JsonNode> leaves = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        if (root != null) flatten("", root, config.registry, leaves);
        for (Map.Entry<String, JsonNode> e : leaves.entrySet()) {
            Setting<?> s = config.registry.get(e.getKey());
            if (s == null) {
                errors.add("unknown key " + e.getKey() + hint(e.getKey(), config.registry.keySet()));
                continue;
            }
            String shown = e.getKey() + " = " + e.getValue();
            try {
                Object v = TomlValues.convert(s.kind(), e.getValue());
                Optional<String> p = checkUnchecked(s, v);
                if (p.isPresent()) errors.add(shown + ": " + p.get());
                else config.values.put(s.key(), v);
            } catch (IllegalArgumentException ex) {
                errors.add(shown + ": " + ex.getMessage());
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(source, errors);
        return config;
    }

    /** Walks TOML tables into dotted keys; a table whose path is a known key is a (type) error there. */
    private static void flatten(String prefix, JsonNode node, Map<String, Setting<?>> registry,
                                Map<String, JsonNode> out) {
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            String key = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
            if (f.getValue().isObject() && !registry.containsKey(key)) flatten(key, f.getValue(), registry, out);
            else out.put(key, f.getValue());
        }
    }

    @SuppressWarnings("unchecked")
    private static Optional<String> checkUnchecked(Setting<?> s, Object value) {
        return ((Setting<Object>) s).check(value);
    }

    /**
     * "did you mean", or, for {@code delivery.server.port_offset}, why: a dotted line appended
     * below a {@code [delivery]} table header belongs to that table (TOML 1.0, "Table").
     */
    static String hint(String key, java.util.Collection<String> known) {
        int dot = key.indexOf('.');
        if (dot > 0 && known.contains(key.substring(dot + 1))) {
            String table = key.substring(0, dot);
            return " (" + key.substring(dot + 1) + " written below the [" + table + "] table header belongs to that"
                    + " table: move the line above the first [table] line, or run: moat config set "
                    + key.substring(dot + 1) + " VALUE)";
        }
        return suggestion(key, known);
    }

    /**
     * The setting named {@code key}, or the loader's error for an unknown key (with the closest
     * known key), for {@code moat config get/set}.
     */
    public static Setting<?> setting(String key) throws ConfigException {
        for (Setting<?> s : Settings.ALL) if (s.key().equals(key)) return s;
        List<String> keys = Settings.ALL.stream().map(Setting::key).toList();
        throw new ConfigException("unknown key " + key + hint(key, keys) + "; every key: moat config defaults");
    }

    private static String suggestion(String key, Iterable<String> known) {
        String best = null;
        int bestDistance = 4;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++)
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * The value of a setting. {@link ServerSettings#HOSTNAME} left at "detected" answers the
     * machine's canonical host name.
     */
    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Object v = values.get(setting.key());
        if (v == null || !registry.get(setting.key()).equals(setting))
            throw new IllegalArgumentException("setting " + setting.key() + " is not registered in Settings.ALL");
        if (setting.key().equals(ServerSettings.HOSTNAME.key()) && ServerSettings.DETECTED.equals(v))
            return (T) DetectedHost.NAME;
        return (T) v;
    }

    /**
     * A path setting made absolute: {@link ServerSettings#DATA_DIR} against the directory of the
     * file it was read from (the working directory for defaults and parsed text), so an admin
     * command finds the same data wherever it is run from; every other relative path against the
     * data directory (so "tls/cert.pem" lives with the data it protects).
     */
    @Override
    public Path path(Setting<Path> setting) {
        Path configured = get(ServerSettings.DATA_DIR);
        Path dataDir = (base.isPresent() ? base.get().resolve(configured) : configured.toAbsolutePath()).normalize();
        if (setting.key().equals(ServerSettings.DATA_DIR.key())) return dataDir;
        return dataDir.resolve(get(setting)).normalize();
    }

    @Override
    public Path dataDir() {
        return path(ServerSettings.DATA_DIR);
    }

    /** A copy with one value replaced; refuses values out of bounds like the file would. */
    public <T> Config with(Setting<T> setting, T value) {
        get(setting);
        Optional<String> problem = setting.check(value);
        if (problem.isPresent())
            throw new IllegalArgumentException(setting.key() + " = " + Units.format(setting.kind(), value) + ": "
                    + problem.get());
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(setting.key(), value instanceof List<?> l ? List.copyOf(l) : value);
        return new Config(registry, copy, base);
    }

    /** The value of {@code setting} as TOML source text ({@code "5m"}, {@code 100}, {@code ["a"]}), as in the file. */
    public String toml(Setting<?> setting) {
        Object v = values.get(setting.key());
        if (v == null) throw new IllegalArgumentException("setting " + setting.key() + " is not registered");
        return Units.toml(setting.kind(), v);
    }

    /** Every key with its default, unit, bounds and doc: the output of {@code moat config defaults}. */
    public static String defaultsTable() {
        return ConfigDocs.table(Settings.ALL);
    }

    /** A complete, commented moat.toml holding every key at its default. */
    public static String defaultFile() {
        return ConfigDocs.file(Settings.ALL);
    }

    /** True when the file (or {@link #with}) gave the setting a value other than its default. */
    public boolean isSet(Setting<?> setting) {
        get(setting);
        return !values.get(setting.key()).equals(setting.defaultValue());
    }

    /** Resolved once: the look-up may touch DNS. */
    private static final class DetectedHost {
        static final String NAME = ServerSettings.detectHostname();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(k).append(" = ").append(Units.format(registry.get(k).kind(), v)).append('\n'));
        return sb.toString();
    }
}
