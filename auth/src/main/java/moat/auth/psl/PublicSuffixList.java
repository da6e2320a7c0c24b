package moat.auth.psl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * PLACEHOLDER written in h-authwire so the server compiles before h-dmarc lands; the lead drops
 * it on merge in favour of the real implementation. Plain, wildcard and exception rules; the
 * implicit "*" rule for unknown top-level domains.
 */
public final class PublicSuffixList {
    private final Set<String> rules;

    private PublicSuffixList(Set<String> rules) {
        this.rules = rules;
    }

    public static PublicSuffixList load(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PublicSuffixList parse(Reader reader) {
        Set<String> rules = new HashSet<>();
        try (BufferedReader r = new BufferedReader(reader)) {
            for (String line; (line = r.readLine()) != null; ) {
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("//")) continue;
                int sp = s.indexOf(' ');
                rules.add((sp < 0 ? s : s.substring(0, sp)).toLowerCase(Locale.ROOT));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PublicSuffixList(Set.copyOf(rules));
    }

    public String publicSuffix(String domain) {
        String[] labels = normalize(domain).split("\\.");
        for (int i = 0; i < labels.length; i++) {
            String rest = String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length));
            if (rules.contains("!" + rest)) return String.join(".", java.util.Arrays.copyOfRange(labels, i + 1, labels.length));
            if (rules.contains(rest)) return rest;
            if (i + 1 < labels.length) {
                String wild = "*." + String.join(".", java.util.Arrays.copyOfRange(labels, i + 1, labels.length));
                if (rules.contains(wild)) return rest;
            }
        }
        return labels[labels.length - 1];
    }

    public String organizationalDomain(String domain) {
        String d = normalize(domain);
        String suffix = publicSuffix(d);
        if (d.equals(suffix)) return d;
        String head = d.substring(0, d.length() - suffix.length() - 1);
        int dot = head.lastIndexOf('.');
        return (dot < 0 ? head : head.substring(dot + 1)) + "." + suffix;
    }

    private static String normalize(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }
}
