package moat.server.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS identity and policy, reloadable while running. Every listener wraps accepted
 * (or STARTTLS-upgraded) sockets with {@link #wrapServerSide}, which always uses the newest good
 * certificate; connections already open keep the one they negotiated.
 *
 * <p>Policy: TLS 1.3 and 1.2 only (RFC 8996), the Mozilla "intermediate" cipher suites (AEAD
 * with forward secrecy) in server order. Reloads happen on {@link #reloadIfChanged()}, every
 * {@code tls.reload_interval} once {@link #startReloading} runs, and on SIGHUP once
 * {@link #reloadOnHangup()} is called. A broken new pair is logged and the old one stays in service.
 */
public final class TlsContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContext.class);

    static {
        // Client-initiated TLS 1.2 renegotiation lets one client make the server redo expensive
        // handshakes (DoS; testssl flags it). JSSE reads this property once, when its handshake
        // classes initialise, so it is set before any server context exists. TLS 1.3 has no
        // renegotiation at all.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null)
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    }

    /** Mozilla intermediate (v5.7), JSSE names, in preference order; TLS 1.2 only ECDHE + AEAD. */
    public static final List<String> INTERMEDIATE_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final Path certFile;
    private final Path keyFile;
    private final List<String> protocols;
    private final ReentrantLock reloadLock = new ReentrantLock();
    private final Runnable hangupListener = this::reloadIfChanged;
    private volatile Loaded loaded;
    private Stamp lastSeen;
    private Thread reloader;

    private record Loaded(SSLContext context, List<X509Certificate> chain, String[] suites) {}

    /** What identifies a file version: rename-into-place changes the inode, in-place writes the mtime. */
    private record FileStamp(FileTime modified, long size, Object fileKey) {}

    private record Stamp(FileStamp cert, FileStamp key) {}

    private TlsContext(Path certFile, Path keyFile, List<String> protocols) throws IOException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.protocols = List.copyOf(protocols);
        if (this.protocols.isEmpty() || !Set.copyOf(TlsSettings.SUPPORTED_PROTOCOLS).containsAll(this.protocols))
            throw new IllegalArgumentException("protocols must be a non-empty subset of " + TlsSettings.SUPPORTED_PROTOCOLS);
        Stamp stamp = stamp();
        this.loaded = load();
        this.lastSeen = stamp;
    }

    /** Loads an existing pair; fails (naming the files) when it is missing or broken. */
    public static TlsContext open(Path certFile, Path keyFile, List<String> protocols) throws IOException {
        return new TlsContext(certFile, keyFile, protocols);
    }

    /** {@link #openOrCreate(Path, Path, String, List, Consumer)} with TLS 1.3 and 1.2. */
    public static TlsContext openOrCreate(Path certFile, Path keyFile, String hostname, Consumer<String> warn)
            throws IOException {
        return openOrCreate(certFile, keyFile, hostname, TlsSettings.SUPPORTED_PROTOCOLS, warn);
    }

    /**
     * Loads the pair, or, when BOTH files are missing, generates a self-signed one and warns. One
     * file without the other is an error: generating would overwrite half of what the admin installed.
     */
    public static TlsContext openOrCreate(Path certFile, Path keyFile, String hostname, List<String> protocols,
                                          Consumer<String> warn) throws IOException {
        boolean hasCert = Files.exists(certFile);
        boolean hasKey = Files.exists(keyFile);
        if (!hasCert && !hasKey) {
            SelfSignedCertificate.generate(hostname, certFile, keyFile);
            warn.accept(selfSignedWarning(hostname, certFile, keyFile));
        } else if (!hasCert || !hasKey) {
            throw new IOException("TLS " + (hasCert ? "private key " + keyFile : "certificate " + certFile)
                    + " is missing while " + (hasCert ? certFile : keyFile) + " exists: fix tls.certificate and "
                    + "tls.private_key, or remove both files to get a new self-signed pair");
        }
        return open(certFile, keyFile, protocols);
    }

    /** From tls.certificate, tls.private_key, tls.protocols and server.hostname. Does not start reloading. */
    public static TlsContext fromConfig(Config config, Consumer<String> warn) throws IOException {
        Path cert = config.path(TlsSettings.CERTIFICATE);
        Path key = config.path(TlsSettings.PRIVATE_KEY);
        String hostname = config.get(ServerSettings.HOSTNAME);
        // Files at the default place are Moat's own; files the admin named are never replaced.
        if (!config.isSet(TlsSettings.CERTIFICATE) && !config.isSet(TlsSettings.PRIVATE_KEY))
            renewSelfSignedForNewName(cert, key, hostname, warn);
        return openOrCreate(cert, key, hostname, config.get(TlsSettings.PROTOCOLS), warn);
    }

    /**
     * The first start generates the self-signed pair for the name it found then (often the bare
     * machine name); once the admin sets server.hostname, a certificate that does not name the host
     * would be refused by every peer that checks names. A self-signed certificate without the host
     * name among its names is replaced (and said); a CA-issued one is kept whatever it names.
     *
     * @return true when a new pair was written
     */
    static boolean renewSelfSignedForNewName(Path certFile, Path keyFile, String hostname, Consumer<String> warn)
            throws IOException {
        if (!Files.exists(certFile) || !Files.exists(keyFile)) return false;
        List<X509Certificate> chain;
        try {
            chain = PemFiles.readChain(certFile);
        } catch (IOException e) {
            return false; // open() reports the broken file with its name
        }
        if (chain.size() != 1) return false;
        X509Certificate c = chain.getFirst();
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) return false;
        List<String> names = dnsNames(c);
        if (names.stream().anyMatch(n -> n.equalsIgnoreCase(hostname))) return false;
        SelfSignedCertificate.generate(hostname, certFile, keyFile);
        warn.accept("moat: tls: the self-signed certificate named " + String.join(", ", names) + ", not server.hostname "
                + hostname + ": replaced it with a new self-signed one for " + hostname + " (" + certFile + ")");
        return true;
    }

    private static List<String> dnsNames(X509Certificate c) {
        List<String> names = new ArrayList<>();
        try {
            var sans = c.getSubjectAlternativeNames();
            if (sans != null) for (List<?> san : sans) if (Integer.valueOf(2).equals(san.get(0))) names.add(String.valueOf(san.get(1)));
        } catch (java.security.cert.CertificateParsingException e) {
            // no readable names: treated as naming nothing
        }
        return names;
    }

    static String selfSignedWarning(String hostname, Path certFile, Path keyFile) {
        String bar = "!".repeat(78);
        return String.join("\n", bar,
                "!! No TLS certificate was configured: generated a SELF-SIGNED certificate for " + hostname,
                "!!   certificate: " + certFile.toAbsolutePath(),
                "!!   private key: " + keyFile.toAbsolutePath(),
                "!! Mail clients and verifying servers will NOT trust it. Point the config keys",
                "!! tls.certificate and tls.private_key at real PEM files, e.g. from Let's Encrypt:",
                "!!   tls.certificate = \"/etc/letsencrypt/live/" + hostname + "/fullchain.pem\"",
                "!!   tls.private_key = \"/etc/letsencrypt/live/" + hostname + "/privkey.pem\"",
                "!! Moat reloads them when they change (renewals need no restart).", bar);
    }

    /** The SSLContext in service now. */
    public SSLContext current() {
        return loaded.context();
    }

    /** The certificate chain in service now, leaf first. */
    public List<X509Certificate> certificateChain() {
        return loaded.chain();
    }

    /**
     * Starts server-side TLS on a connected socket. The caller must have discarded any plaintext
     * read so far: that is why this uses the {@code createSocket} variant without pre-read bytes
     * (feeding pipelined plaintext into the TLS session is the STARTTLS injection of CVE-2011-0411).
     * The handshake starts on first I/O or {@code startHandshake()}; set a read timeout first.
     */
    public SSLSocket wrapServerSide(Socket plain) throws IOException {
        Loaded l = loaded;
        SSLSocket s = (SSLSocket) l.context().getSocketFactory().createSocket(plain, null, plain.getPort(), true);
        s.setUseClientMode(false);
        s.setSSLParameters(parameters(l));
        return s;
    }

    /** The server policy, for callers that use an {@code SSLEngine} from {@link #current()}. */
    public SSLParameters serverParameters() {
        return parameters(loaded);
    }

    private SSLParameters parameters(Loaded l) {
        SSLParameters p = l.context().getDefaultSSLParameters();
        p.setProtocols(protocols.toArray(String[]::new));
        p.setCipherSuites(l.suites().clone());
        p.setUseCipherSuitesOrder(true);
        p.setNeedClientAuth(false);
        p.setWantClientAuth(false);
        return p;
    }

    /**
     * Reloads when either file changed since the last attempt. Returns true when a new pair is in
     * service. A broken pair is logged once per change and the previous one keeps serving.
     */
    public boolean reloadIfChanged() {
        reloadLock.lock();
        try {
            Stamp now;
            try {
                now = stamp();
            } catch (IOException e) {
                if (lastSeen != null) LOG.error("TLS reload: {}; keeping the current certificate", e.getMessage());
                lastSeen = null;
                return false;
            }
            if (now.equals(lastSeen)) return false;
            lastSeen = now;
            try {
                loaded = load();
                LOG.info("TLS certificate reloaded from {}: {}", certFile, describe(loaded.chain().getFirst()));
                return true;
            } catch (IOException e) {
                LOG.error("TLS reload failed, keeping the current certificate: {}", e.getMessage());
                return false;
            }
        } finally {
            reloadLock.unlock();
        }
    }

    /** Checks the files every {@code interval} on a virtual thread until {@link #close()}. */
    public void startReloading(Duration interval) {
        Objects.requireNonNull(interval);
        reloadLock.lock();
        try {
            if (reloader != null) throw new IllegalStateException("already reloading");
            reloader = Thread.ofVirtual().name("tls-reload").start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(interval);
                        reloadIfChanged();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } finally {
            reloadLock.unlock();
        }
    }

    /** Reloads on SIGHUP as well. Returns false when the platform has no SIGHUP. */
    public boolean reloadOnHangup() {
        return HangupSignal.register(hangupListener);
    }

    @Override
    public void close() {
        HangupSignal.unregister(hangupListener);
        reloadLock.lock();
        try {
            if (reloader != null) reloader.interrupt();
            reloader = null;
        } finally {
            reloadLock.unlock();
        }
    }

    private Stamp stamp() throws IOException {
        return new Stamp(stamp(certFile), stamp(keyFile));
    }

    private static FileStamp stamp(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileStamp(a.lastModifiedTime(), a.size(), a.fileKey());
    }

    private Loaded load() throws IOException {
        PemFiles.KeyMaterial m = PemFiles.read(certFile, keyFile);
        X509Certificate leaf = m.leaf();
        try {
            leaf.checkValidity();
        } catch (java.security.cert.CertificateException e) {
            // Served anyway: opportunistic STARTTLS peers still get encryption; the log says why it fails verification.
            LOG.warn("TLS certificate {} is not valid now: {}", certFile, e.getMessage());
        }
        try {
            char[] password = HexFormat.of().formatHex(SecureRandom.getSeed(16)).toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("moat", m.key(), password, m.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("NewSunX509");
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            List<String> supported = Arrays.asList(ctx.getSupportedSSLParameters().getCipherSuites());
            List<String> suites = new ArrayList<>(INTERMEDIATE_SUITES);
            suites.retainAll(supported);
            return new Loaded(ctx, m.chain(), suites.toArray(String[]::new));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + certFile + " / " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static String describe(X509Certificate c) {
        return c.getSubjectX500Principal().getName() + ", valid until " + c.getNotAfter().toInstant();
    }
}
