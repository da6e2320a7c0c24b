package moat.auth.psl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The Public Suffix List (https://publicsuffix.org/list/), as RFC 7489 section 3.2 uses it to
 * find the Organizational Domain. Both the ICANN and the private sections are loaded; rules are
 * stored in their IDNA ASCII form so that lookups of A-labels and U-labels agree.
 *
 * <p>Matching follows the list's own algorithm: exception rules ({@code !}) win, otherwise the
 * rule with the most labels wins, a wildcard ({@code *.}) stands for exactly one label, and a
 * name no rule matches has the implicit rule {@code *} (its last label is the public suffix).
 * Immutable, so one instance serves every thread.
 */
public final class PublicSuffixList {
    /** A list with more rules than this is refused: the real one has about 10,000. */
    public static final int MAX_RULES = 200_000;

    /** Lines longer than this are refused: a rule is a domain name, at most 253 octets. */
    static final int MAX_LINE = 1024;

    /** Classpath location of the copy shipped with Moat. */
    public static final String BUNDLED = "/moat/auth/psl/public_suffix_list.dat";

    private final Set<String> rules;
    private final Set<String> wildcards; // "*.ck" stored as "ck"
    private final Set<String> exceptions; // "!www.ck" stored as "www.ck"

    private PublicSuffixList(Set<String> rules, Set<String> wildcards, Set<String> exceptions) {
        this.rules = Set.copyOf(rules);
        this.wildcards = Set.copyOf(wildcards);
        this.exceptions = Set.copyOf(exceptions);
    }

    /** Reads a list in the publicsuffix.org {@code .dat} format (UTF-8). */
    public static PublicSuffixList load(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r);
        }
    }

    /** The copy of the list shipped inside Moat (see {@code package-info}: update it with a file). */
    public static PublicSuffixList bundled() {
        try (InputStream in = PublicSuffixList.class.getResourceAsStream(BUNDLED)) {
            if (in == null) throw new IllegalStateException("missing resource " + BUNDLED);
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses the {@code .dat} format: one rule per line, {@code //} comments, blank lines; only the
     * text up to the first whitespace counts (as the format's documentation says).
     *
     * @throws IOException also for a list over {@link #MAX_RULES} rules or a line over 1024 characters
     */
    public static PublicSuffixList parse(Reader reader) throws IOException {
        Set<String> rules = new HashSet<>();
        Set<String> wildcards = new HashSet<>();
        Set<String> exceptions = new HashSet<>();
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        int count = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.length() > MAX_LINE) throw new IOException("public suffix list line over " + MAX_LINE + " characters");
            String rule = line.strip();
            if (rule.isEmpty() || rule.startsWith("//")) continue;
            int ws = indexOfWhitespace(rule);
            if (ws > 0) rule = rule.substring(0, ws);
            if (++count > MAX_RULES) throw new IOException("public suffix list over " + MAX_RULES + " rules");
            if (rule.startsWith("!")) {
                exceptions.add(ascii(rule.substring(1)));
            } else if (rule.startsWith("*.")) {
                wildcards.add(ascii(rule.substring(2)));
            } else if (rule.equals("*")) {
                continue; // the implicit default rule
            } else {
                rules.add(ascii(rule));
            }
        }
        return new PublicSuffixList(rules, wildcards, exceptions);
    }

    /** Number of rules loaded (for the log line that says which list is in use). */
    public int size() {
        return rules.size() + wildcards.size() + exceptions.size();
    }

    /**
     * The public suffix of {@code domain} (lower-case ASCII), or the domain itself when it is
     * unusable (empty, leading dot, empty label).
     */
    public String publicSuffix(String domain) {
        Optional<String[]> labels = labels(domain);
        if (labels.isEmpty()) return normalize(domain);
        String[] l = labels.get();
        return join(l, l.length - suffixLabels(l));
    }

    /**
     * The registrable domain: the public suffix plus one label. Empty when {@code domain} is a
     * public suffix itself or is not a usable domain name (as {@code test_psl.txt}'s null).
     */
    public Optional<String> registrableDomain(String domain) {
        Optional<String[]> labels = labels(domain);
        if (labels.isEmpty()) return Optional.empty();
        String[] l = labels.get();
        int ps = suffixLabels(l);
        if (ps >= l.length) return Optional.empty();
        return Optional.of(join(l, l.length - ps - 1));
    }

    /**
     * RFC 7489 section 3.2: the Organizational Domain, the public suffix plus one label. A domain
     * that is itself a public suffix (or unusable) is its own organizational domain, so that
     * alignment of two equal names still holds (DMARCbis reaches the same answer with its tree
     * walk). Lower-case ASCII (IDNA A-labels) in and out; U-labels are converted.
     */
    public String organizationalDomain(String domain) {
        return registrableDomain(domain).orElseGet(() -> normalize(domain));
    }

    /** How many trailing labels of {@code l} form the public suffix. */
    private int suffixLabels(String[] l) {
        int n = l.length;
        // Exception rules take priority over every other rule; the suffix is the rule minus its
        // leftmost label.
        for (int i = 0; i < n; i++) {
            if (exceptions.contains(join(l, i))) return n - i - 1;
        }
        int best = 1; // the implicit "*" rule
        for (int i = 0; i < n; i++) {
            String s = join(l, i);
            if (rules.contains(s) || (i + 1 < n && wildcards.contains(join(l, i + 1)))) {
                best = Math.max(best, n - i);
                break; // i ascends, so the first match has the most labels
            }
        }
        return best;
    }

    private static Optional<String[]> labels(String domain) {
        if (domain == null) return Optional.empty();
        String d = normalize(domain);
        if (d.isEmpty() || d.startsWith(".") || d.contains("..") || d.length() > 253) return Optional.empty();
        return Optional.of(d.split("\\.", -1));
    }

    /** Lower-case IDNA ASCII without a trailing dot; input that IDNA refuses is only lower-cased. */
    static String normalize(String domain) {
        if (domain == null) return "";
        String d = domain.strip();
        if (d.endsWith(".") && d.length() > 1) d = d.substring(0, d.length() - 1);
        return ascii(d);
    }

    private static String ascii(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.chars().allMatch(c -> c < 0x80)) return lower;
        try {
            return IDN.toASCII(lower, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return lower; // LIMITATION: IDNA2003 refuses some newer names; they match only as written
        }
    }

    private static String join(String[] labels, int from) {
        return String.join(".", java.util.Arrays.copyOfRange(labels, from, labels.length));
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isWhitespace(s.charAt(i))) return i;
        return -1;
    }
}
