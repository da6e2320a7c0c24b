package moat.server.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import moat.core.config.Setting;
import moat.core.config.Units;

/** Generated documentation of the settings: the defaults table and the commented default file. */
final class ConfigDocs {
    private static final int WIDTH = 96;

    private ConfigDocs() {}

    static String table(List<Setting<?>> settings) {
        int keyWidth = settings.stream().mapToInt(s -> s.key().length()).max().orElse(10);
        StringBuilder sb = new StringBuilder();
        for (Setting<?> s : settings) {
            sb.append(String.format("%-" + keyWidth + "s = %s%n", s.key(), Units.toml(s.kind(), s.defaultValue())));
            sb.append("    ").append(s.doc()).append(System.lineSeparator());
            sb.append("    ").append(details(s)).append(System.lineSeparator());
        }
        return sb.toString();
    }

    /**
     * The generated moat.toml: one commented-out {@code section.name = default} line per key,
     * grouped by section under comment headings. Dotted keys and no {@code [table]} headers, so a
     * line from the README appended at the end means what it says (below a {@code [delivery]}
     * header it would become {@code delivery.server.port_offset}); commented out, so appending a
     * key is not a duplicate and a default changed by a new release applies (ADR 0028).
     */
    static String file(List<Setting<?>> settings) {
        Map<String, List<Setting<?>>> sections = new LinkedHashMap<>();
        for (Setting<?> s : settings)
            sections.computeIfAbsent(s.key().substring(0, s.key().indexOf('.')), k -> new ArrayList<>()).add(s);
        StringBuilder sb = new StringBuilder();
        sb.append("# moat.toml: every setting Moat knows, commented out at its default value.\n");
        sb.append("# To change one, remove its '#' and edit the value, or append a line (e.g. server.port_offset = 10000),\n");
        sb.append("# or run: moat config set server.port_offset 10000   (moat config get KEY shows a value).\n");
        sb.append("# Sizes: 64KiB, 25MiB (binary units) or plain bytes. Durations: 500ms, 30s, 5m, 1h, 1d.\n");
        sb.append("# Check a changed file with: moat config check\n");
        for (Map.Entry<String, List<Setting<?>>> section : sections.entrySet()) {
            sb.append("\n# ---- ").append(section.getKey()).append(" ----\n");
            for (Setting<?> s : section.getValue()) {
                sb.append('\n');
                for (String line : wrap(s.doc())) sb.append("# ").append(line).append('\n');
                sb.append("# (").append(details(s)).append(")\n");
                sb.append("# ").append(s.key()).append(" = ").append(Units.toml(s.kind(), s.defaultValue())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String details(Setting<?> s) {
        String type = s.kind().name().toLowerCase();
        String unit = s.unit().isEmpty() ? "" : ", unit: " + s.unit();
        String bounds = s.bounds().equals("-") ? "" : ", allowed: " + s.bounds();
        return "type: " + type + unit + bounds;
    }

    private static List<String> wrap(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) line.append(' ');
            line.append(word);
        }
        if (!line.isEmpty()) lines.add(line.toString());
        return lines;
    }
}
