package moat.server.mailauth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import moat.auth.dkim.DkimAlgorithm;
import moat.auth.dkim.DkimKeys;
import moat.auth.dkim.DkimSigningKey;
import moat.core.Domain;

/**
 * Signing keys on disk: {@code <data_dir>/dkim/<domain>/<selector>.key} (PKCS#8 PEM, mode 0600,
 * directories 0700) and next to each the TXT record to publish, {@code <selector>.dns}. Selectors
 * are a prefix plus the generation date ({@code moat-ed-20261125}), so a new key never reuses a
 * selector that caches may still hold. The server signs with the newest key of each algorithm
 * (selector order) when it starts.
 */
public final class DkimKeyStore {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);

    /** One generated or stored key: where its public half must be published, and the record. */
    public record Published(Domain domain, String selector, DkimAlgorithm algorithm, String record) {
        public String name() {
            return selector + "._domainkey." + domain.ascii();
        }
    }

    private final Path root;

    public DkimKeyStore(Path dataDir) {
        this.root = dataDir.resolve("dkim");
    }

    /** Generates an Ed25519 and an RSA key for {@code domain}; refuses to overwrite an existing selector. */
    public List<Published> generate(Domain domain, String edPrefix, String rsaPrefix, int rsaBits, LocalDate today)
            throws IOException {
        Path dir = root.resolve(domain.ascii());
        createPrivateDirs(dir);
        String day = DAY.format(today);
        List<Published> out = new ArrayList<>();
        out.add(write(dir, domain, edPrefix + "-" + day, DkimKeys.generateEd25519()));
        out.add(write(dir, domain, rsaPrefix + "-" + day, DkimKeys.generateRsa(rsaBits)));
        return out;
    }

    private Published write(Path dir, Domain domain, String selector, KeyPair pair) throws IOException {
        Path key = dir.resolve(selector + ".key");
        if (Files.exists(key)) throw new FileAlreadyExistsException(key + " (keys were generated today already)");
        String record = DkimKeys.dnsRecord(pair.getPublic());
        writePrivate(key, DkimKeys.toPem(pair.getPrivate()));
        Files.writeString(dir.resolve(selector + ".dns"), record + "\n", StandardCharsets.US_ASCII);
        return new Published(domain, selector, algorithm(pair.getPrivate()), record);
    }

    /** The newest key of each algorithm per domain. Unreadable files are reported through {@code problems}. */
    public Map<Domain, List<DkimSigningKey>> signingKeys(List<String> problems) throws IOException {
        Map<Domain, List<DkimSigningKey>> out = new HashMap<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> domains = Files.newDirectoryStream(root)) {
            for (Path d : domains) {
                Optional<Domain> domain = Domain.parse(d.getFileName().toString());
                if (domain.isEmpty() || !Files.isDirectory(d)) continue;
                Map<DkimAlgorithm, DkimSigningKey> newest = new TreeMap<>();
                for (Path f : keyFiles(d)) {
                    String selector = f.getFileName().toString().replaceFirst("\\.key$", "");
                    try {
                        PrivateKey k = DkimKeys.fromPem(Files.readString(f, StandardCharsets.US_ASCII));
                        DkimSigningKey sk = new DkimSigningKey(domain.get().ascii(), selector, k);
                        newest.put(sk.algorithm(), sk); // keyFiles is in selector order: the last one wins
                    } catch (IllegalArgumentException | IOException e) {
                        problems.add(f + ": " + e.getMessage());
                    }
                }
                if (!newest.isEmpty()) out.put(domain.get(), List.copyOf(newest.values()));
            }
        }
        return out;
    }

    /** The records of the keys the server would sign with for {@code domain}, from their .dns files. */
    public List<Published> published(Domain domain) throws IOException {
        List<String> problems = new ArrayList<>();
        List<DkimSigningKey> keys = signingKeys(problems).getOrDefault(domain, List.of());
        List<Published> out = new ArrayList<>();
        for (DkimSigningKey k : keys) {
            Path dns = root.resolve(domain.ascii()).resolve(k.selector() + ".dns");
            String record = Files.exists(dns) ? Files.readString(dns, StandardCharsets.US_ASCII).strip() : "";
            out.add(new Published(domain, k.selector(), k.algorithm(), record));
        }
        return out;
    }

    private static List<Path> keyFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.key")) {
            s.forEach(files::add);
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return files;
    }

    private static DkimAlgorithm algorithm(PrivateKey k) {
        return k instanceof java.security.interfaces.RSAPrivateKey ? DkimAlgorithm.RSA_SHA256 : DkimAlgorithm.ED25519_SHA256;
    }

    private void createPrivateDirs(Path dir) throws IOException {
        for (Path p : new Path[] {root, dir}) {
            if (Files.isDirectory(p)) continue;
            try {
                Files.createDirectories(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(p);
            }
        }
    }

    /** Created with mode 0600 from the start: the key is never readable by others, not even briefly. */
    private static void writePrivate(Path file, String pem) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
