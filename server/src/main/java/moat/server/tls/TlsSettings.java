package moat.server.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import moat.core.config.Constraint;
import moat.core.config.Setting;

/** TLS settings. Relative paths are inside server.data_dir. */
public final class TlsSettings {
    /** The only protocol versions Moat speaks (RFC 8996 deprecates TLS 1.0 and 1.1). */
    public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static final Setting<Path> CERTIFICATE = Setting.ofPath("tls.certificate", "tls/cert.pem",
            "PEM certificate chain, leaf first (e.g. Let's Encrypt fullchain.pem); self-signed is generated if absent");

    public static final Setting<Path> PRIVATE_KEY = Setting.ofPath("tls.private_key", "tls/key.pem",
            "PEM private key of the leaf certificate (PKCS#8, PKCS#1 RSA or SEC1 EC; e.g. Let's Encrypt privkey.pem)");

    public static final Setting<Duration> RELOAD_INTERVAL = Setting.ofDuration("tls.reload_interval", "1m", "1s",
            "1d", "How often the certificate and key files are checked for changes (SIGHUP reloads at once)");

    public static final Setting<List<String>> PROTOCOLS = Setting.ofStringList("tls.protocols", SUPPORTED_PROTOCOLS,
            "TLS protocol versions offered").withConstraint(Constraint.nonEmptySubsetOf(SUPPORTED_PROTOCOLS));

    private TlsSettings() {}
}
