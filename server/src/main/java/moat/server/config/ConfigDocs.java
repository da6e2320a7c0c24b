package moat.server.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    static String file(List<Setting<?>> settings) {
        Map<String, List<Setting<?>>> sections = new LinkedHashMap<>();
        for (Setting<?> s : settings)
            sections.computeIfAbsent(s.key().substring(0, s.key().indexOf('.')), k -> new ArrayList<>()).add(s);
        StringBuilder sb = new StringBuilder();
        sb.append("# moat.toml: every setting Moat knows, at its default value.\n");
        sb.append("# Sizes: 64KiB, 25MiB (binary units) or plain bytes. Durations: 500ms, 30s, 5m, 1h, 1d.\n");
        sb.append("# Check a changed file with: moat config check --config moat.toml\n");
        for (Map.Entry<String, List<Setting<?>>> section : sections.entrySet()) {
            sb.append("\n[").append(section.getKey()).append("]\n");
            for (Setting<?> s : section.getValue()) {
                sb.append('\n');
                for (String line : wrap(s.doc())) sb.append("# ").append(line).append('\n');
                sb.append("# (").append(details(s)).append(")\n");
                sb.append(s.key().substring(section.getKey().length() + 1)).append(" = ")
                        .append(Units.toml(s.kind(), s.defaultValue())).append('\n');
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
