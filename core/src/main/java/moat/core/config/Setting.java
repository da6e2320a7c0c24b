package moat.core.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One configuration key: its type, default, unit, bounds and one-line doc. Owned by the package
 * that uses it (a constant in a {@code *Settings} holder), registered in the server's registry
 * ({@code moat.server.config.Settings.ALL}).
 *
 * <p>Numeric settings always carry both bounds: an unbounded value is how "0 means unlimited"
 * and "a typo of 10000000" slip in. {@code constraint} adds checks that bounds cannot express
 * (allowed protocol names, CIDR syntax).
 */
public record Setting<T>(String key, Kind kind, T defaultValue, String unit, Optional<T> min, Optional<T> max,
                         String doc, Constraint<T> constraint) {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");

    /** The value types a TOML key can hold, and the Java type {@link SettingValues#get} returns. */
    public enum Kind {
        INT(Integer.class), LONG(Long.class), BYTES(Long.class), DURATION(Duration.class), BOOL(Boolean.class),
        STRING(String.class), STRING_LIST(List.class), PATH(Path.class), PORT(ListenerPort.class);

        private final Class<?> type;

        Kind(Class<?> type) {
            this.type = type;
        }

        public Class<?> type() {
            return type;
        }

        boolean ordered() {
            return this == INT || this == LONG || this == BYTES || this == DURATION;
        }
    }

    @SuppressWarnings("unchecked")
    public Setting {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(constraint, "constraint");
        if (key == null || !KEY.matcher(key).matches())
            throw new IllegalArgumentException("setting key must be snake_case, dotted by owner: " + key);
        if (doc == null || doc.isBlank()) throw new IllegalArgumentException(key + ": a setting needs a doc line");
        if (!kind.type().isInstance(defaultValue))
            throw new IllegalArgumentException(key + ": default " + defaultValue + " is not a " + kind);
        if (kind.ordered() && (min.isEmpty() || max.isEmpty()))
            throw new IllegalArgumentException(key + ": a numeric setting needs both bounds");
        if (defaultValue instanceof List<?> list) defaultValue = (T) List.copyOf(list);
        Optional<String> problem = problem(kind, min, max, constraint, defaultValue);
        if (problem.isPresent()) throw new IllegalArgumentException(key + ": default " + problem.get());
    }

    /** Why {@code value} is not acceptable (out of bounds, refused by the constraint), or empty. */
    public Optional<String> check(T value) {
        return problem(kind, min, max, constraint, value);
    }

    /** The bounds and constraint in words, for error messages and the generated docs. */
    public String bounds() {
        return bounds(kind, min, max, constraint);
    }

    // Static so that the compact constructor can check the default before the fields are set.
    private static <T> Optional<String> problem(Kind kind, Optional<T> min, Optional<T> max, Constraint<T> c, T value) {
        if (kind.ordered() && (compare(value, min.orElseThrow()) < 0 || compare(value, max.orElseThrow()) > 0))
            return Optional.of("is out of bounds: must be " + bounds(kind, min, max, c));
        return c.problem(value);
    }

    private static <T> String bounds(Kind kind, Optional<T> min, Optional<T> max, Constraint<T> c) {
        if (kind.ordered()) return Units.format(kind, min.orElseThrow()) + " to " + Units.format(kind, max.orElseThrow());
        return c.describe();
    }

    @SuppressWarnings("unchecked")
    private static int compare(Object a, Object b) {
        return ((Comparable<Object>) a).compareTo(b);
    }

    /** Same setting with an extra check (enumerations, address syntax). */
    public Setting<T> withConstraint(Constraint<T> c) {
        return new Setting<>(key, kind, defaultValue, unit, min, max, doc, c);
    }

    public static Setting<Integer> ofInt(String key, int def, String unit, int min, int max, String doc) {
        return new Setting<>(key, Kind.INT, def, unit, Optional.of(min), Optional.of(max), doc, Constraint.none());
    }

    public static Setting<Long> ofLong(String key, long def, String unit, long min, long max, String doc) {
        return new Setting<>(key, Kind.LONG, def, unit, Optional.of(min), Optional.of(max), doc, Constraint.none());
    }

    /** Sizes written as {@code "25MiB"}, {@code "64KiB"} or a plain number of bytes. */
    public static Setting<Long> ofBytes(String key, String def, String min, String max, String doc) {
        return new Setting<>(key, Kind.BYTES, Units.parseBytes(def), "bytes", Optional.of(Units.parseBytes(min)),
                Optional.of(Units.parseBytes(max)), doc, Constraint.none());
    }

    /** Durations written as {@code "500ms"}, {@code "30s"}, {@code "5m"}/{@code "5min"}, {@code "1h"}, {@code "1d"}. */
    public static Setting<Duration> ofDuration(String key, String def, String min, String max, String doc) {
        return new Setting<>(key, Kind.DURATION, Units.parseDuration(def), "duration",
                Optional.of(Units.parseDuration(min)), Optional.of(Units.parseDuration(max)), doc, Constraint.none());
    }

    /** A listener port: 1 to 65535, {@code "off"} (no listener) or {@code "ephemeral"} (any free port). */
    public static Setting<ListenerPort> ofPort(String key, int def, String doc) {
        return new Setting<>(key, Kind.PORT, ListenerPort.of(def), "port", Optional.empty(), Optional.empty(), doc,
                Constraint.of("1 to 65535, \"off\" (no listener) or \"ephemeral\" (any free port)", v -> true, ""));
    }

    public static Setting<Boolean> ofBool(String key, boolean def, String doc) {
        return new Setting<>(key, Kind.BOOL, def, "", Optional.empty(), Optional.empty(), doc, Constraint.none());
    }

    public static Setting<String> ofString(String key, String def, String doc) {
        return new Setting<>(key, Kind.STRING, def, "", Optional.empty(), Optional.empty(), doc, Constraint.none());
    }

    public static Setting<List<String>> ofStringList(String key, List<String> def, String doc) {
        return new Setting<>(key, Kind.STRING_LIST, List.copyOf(def), "", Optional.empty(), Optional.empty(), doc,
                Constraint.none());
    }

    /** A file or directory; relative paths are resolved by {@link SettingValues#path} (see its doc). */
    public static Setting<Path> ofPath(String key, String def, String doc) {
        try {
            return new Setting<>(key, Kind.PATH, Path.of(def), "path", Optional.empty(), Optional.empty(), doc,
                    Constraint.none());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(key + ": bad default path " + def, e);
        }
    }
}
