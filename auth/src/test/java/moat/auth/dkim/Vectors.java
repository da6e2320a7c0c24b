package moat.auth.dkim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import moat.auth.TestVectors;
import moat.core.dns.StaticZone;

/** Reads the RFC vectors in {@code src/test/resources/vectors/dkim} (see its README). */
final class Vectors {
    private static final Pattern TXT = Pattern.compile("^(\\S+)\\s+(?:IN\\s+)?TXT\\s+(.*)$");
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Vectors() {}

    static Path dir() {
        return TestVectors.dir("dkim");
    }

    static byte[] message(String name) throws IOException {
        return Files.readAllBytes(dir().resolve(name));
    }

    /** Loads "name TXT "s1" "s2"" lines; the character-strings of one record are concatenated. */
    static StaticZone.Builder zone(String name) throws IOException {
        StaticZone.Builder b = StaticZone.builder();
        for (String line : Files.readAllLines(dir().resolve(name))) {
            Matcher m = TXT.matcher(line.strip());
            if (!m.matches()) continue;
            StringBuilder text = new StringBuilder();
            Matcher q = QUOTED.matcher(m.group(2));
            while (q.find()) text.append(q.group(1).replaceAll("\\\\(.)", "$1"));
            b.txt(m.group(1), text.toString());
        }
        return b;
    }
}
