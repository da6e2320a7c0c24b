package moat.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.core.config.Units;

/** Turns a parsed TOML value into the Java value of a {@link Setting.Kind}, or says why it cannot. */
final class TomlValues {
    private TomlValues() {}

    /** @throws IllegalArgumentException with a message for the admin (the caller prefixes key and value) */
    static Object convert(Setting.Kind kind, JsonNode n) {
        return switch (kind) {
            case INT -> {
                if (!n.isIntegralNumber()) throw wrong("an integer", n);
                if (!n.canConvertToInt()) throw new IllegalArgumentException("is out of bounds: too large");
                yield n.intValue();
            }
            case LONG -> {
                if (!n.isIntegralNumber()) throw wrong("an integer", n);
                if (!n.canConvertToLong()) throw new IllegalArgumentException("is out of bounds: too large");
                yield n.longValue();
            }
            case BYTES -> {
                if (n.isIntegralNumber() && n.canConvertToLong()) yield n.longValue();
                if (!n.isTextual()) throw wrong("a size such as \"25MiB\" or a number of bytes", n);
                yield Units.parseBytes(n.textValue());
            }
            case DURATION -> {
                if (n.isNumber())
                    throw new IllegalArgumentException("a duration needs a unit: write e.g. \"30s\", \"5m\", \"500ms\"");
                if (!n.isTextual()) throw wrong("a duration such as \"30s\"", n);
                yield Units.parseDuration(n.textValue());
            }
            case BOOL -> {
                if (!n.isBoolean()) throw wrong("true or false", n);
                yield n.booleanValue();
            }
            case STRING -> {
                if (!n.isTextual()) throw wrong("a string", n);
                yield n.textValue();
            }
            case PATH -> {
                if (!n.isTextual() || n.textValue().isEmpty()) throw wrong("a non-empty path string", n);
                try {
                    yield Path.of(n.textValue());
                } catch (InvalidPathException e) {
                    throw new IllegalArgumentException("is not a valid path: " + e.getReason());
                }
            }
            case PORT -> {
                if (n.isIntegralNumber() && n.canConvertToInt() && n.intValue() == 0)
                    throw new IllegalArgumentException("0 is ambiguous: write \"off\" for no listener, or \"ephemeral\""
                            + " for a free port the system picks");
                if (n.isIntegralNumber()) {
                    if (!n.canConvertToInt() || n.intValue() < 1 || n.intValue() > 65535)
                        throw new IllegalArgumentException("is out of bounds: must be 1 to 65535, \"off\" or \"ephemeral\"");
                    yield ListenerPort.of(n.intValue());
                }
                if (n.isTextual() && n.textValue().equals("off")) yield ListenerPort.OFF;
                if (n.isTextual() && n.textValue().equals("ephemeral")) yield ListenerPort.EPHEMERAL;
                throw wrong("a port 1 to 65535, \"off\" or \"ephemeral\"", n);
            }
            case STRING_LIST -> {
                if (!n.isArray()) throw wrong("a list of strings such as [\"a\", \"b\"]", n);
                List<String> out = new ArrayList<>();
                for (JsonNode e : n) {
                    if (!e.isTextual()) throw wrong("a list of strings such as [\"a\", \"b\"]", n);
                    out.add(e.textValue());
                }
                yield List.copyOf(out);
            }
        };
    }

    private static IllegalArgumentException wrong(String expected, JsonNode n) {
        String got = n.isObject() ? "a table" : n.isArray() ? "a list" : n.isTextual() ? "a string"
                : n.isBoolean() ? "a boolean" : n.isNumber() ? "a number" : n.getNodeType().toString().toLowerCase();
        return new IllegalArgumentException("wrong type: expected " + expected + ", got " + got);
    }
}
