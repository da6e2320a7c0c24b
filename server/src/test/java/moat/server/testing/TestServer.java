package moat.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.dns.Resolver;
import moat.core.dns.StaticZone;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.MoatServer;
import moat.server.config.Config;
import moat.server.config.Settings;
import moat.store.MailStore;
import moat.store.Store;

/**
 * A real Moat on loopback with ephemeral ports and a fixture directory: domain example.org with
 * alice and bob, alias sales -> alice, alias info -> a remote address, relay domain relay.example.
 */
public final class TestServer implements AutoCloseable {
    public static final String ALICE_PASSWORD = "alice-password-1";
    public static final String BOB_PASSWORD = "bob-password-22";

    private final MoatServer server;
    private final Path dir;

    private TestServer(MoatServer server, Path dir) {
        this.server = server;
        this.dir = dir;
    }

    /**
     * {@code toml} lines are appended to the test config (e.g. "smtp.max_recipients = 2"). DNS
     * answers NXDOMAIN to everything (an empty {@link StaticZone}): no test leaves the machine.
     */
    public static TestServer start(Path dir, String... toml) throws Exception {
        return start(dir, StaticZone.builder().build(), Clock.systemUTC(), toml);
    }

    /** With a clock the test controls (rate windows, lockouts) and extra {@code toml} lines. */
    public static TestServer start(Path dir, Clock clock, String... toml) throws Exception {
        return start(dir, StaticZone.builder().build(), clock, toml);
    }

    /** With a given resolver (e.g. a {@code TestDnsServer}) and clock (greylisting tests move it). */
    public static TestServer start(Path dir, Resolver dns, Clock clock, String... toml) throws Exception {
        return start(dir, dns, clock, List.of(), toml);
    }

    /** With content checks registered after the configured ones (as an embedding program would). */
    public static TestServer start(Path dir, Resolver dns, Clock clock, List<moat.policy.Policy.Rule> contentChecks,
                                   String... toml) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("server.hostname = \"mx.test.example\"\n");
        sb.append("server.data_dir = \"").append(dir.resolve("data")).append("\"\n");
        sb.append("listener.bind_address = [\"127.0.0.1\"]\n");
        // A test may pin the port-25 listener (a server re-opened on the port its peers know).
        if (java.util.Arrays.stream(toml).noneMatch(l -> l.startsWith("listener.smtp_port")))
            sb.append("listener.smtp_port = \"ephemeral\"\n");
        // Every other listener on a free port of the system's choosing unless the test sets it (e.g. "off").
        for (String key : List.of("listener.submission_port", "listener.submissions_port", "listener.pop3_port",
                "listener.pop3s_port", "listener.imap_port", "listener.imaps_port"))
            if (java.util.Arrays.stream(toml).noneMatch(l -> l.startsWith(key + " ")))
                sb.append(key).append(" = \"ephemeral\"\n");
        sb.append("smtp.relay_domains = [\"relay.example\"]\n");
        for (String line : toml) sb.append(line).append('\n');
        // Port 25 holds its banner 2 s by default (pregreet); tests that do not test it skip the wait.
        if (java.util.Arrays.stream(toml).noneMatch(l -> l.startsWith("limits.banner_delay")))
            sb.append("limits.banner_delay = \"0s\"\n");
        // Outbound delivery stays off unless a test asks for it: the fixture's remote rows stay queued.
        if (java.util.Arrays.stream(toml).noneMatch(l -> l.startsWith("delivery.enabled")))
            sb.append("delivery.enabled = false\n");
        Config config = Config.parse(sb.toString(), "test", Settings.ALL);
        MoatServer server = MoatServer.start(config, clock, msg -> { }, dns, contentChecks);
        Store store = server.store();
        if (!store.isLocalDomain(Domain.of("example.org"))) {
            store.addDomain(Domain.of("example.org"));
            store.addUser(EmailAddress.of("alice@example.org"), ALICE_PASSWORD.toCharArray());
            store.addUser(EmailAddress.of("bob@example.org"), BOB_PASSWORD.toCharArray());
            store.addAlias(EmailAddress.of("sales@example.org"), List.of(EmailAddress.of("alice@example.org")));
            store.addAlias(EmailAddress.of("info@example.org"), List.of(EmailAddress.of("someone@elsewhere.example")));
        }
        return new TestServer(server, dir);
    }

    public int port(Listener l) {
        return server.port(l);
    }

    /** POP3 with STLS ({@code tls = false}) or implicit TLS. */
    public int pop3Port(boolean implicitTls) {
        return implicitTls ? server.pop3().tlsPort() : server.pop3().port();
    }

    public MoatServer server() {
        return server;
    }

    /** IMAP with STARTTLS (143 role) or implicit TLS (993 role). */
    public int imapPort(boolean implicitTls) {
        return server.imapPort(implicitTls);
    }

    public Store store() {
        return server.store();
    }

    public Path auditLog() {
        return dir.resolve("data").resolve("audit.log");
    }

    public Path certificate() {
        return dir.resolve("data").resolve("tls").resolve("cert.pem");
    }

    /** Message bodies in a user's INBOX, oldest first. */
    public List<String> inbox(String user) throws IOException {
        List<MailStore.StoredMessage> msgs = store().messages(EmailAddress.of(user), "INBOX");
        return msgs.stream().map(m -> {
            try (InputStream in = store().open(m)) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    /** Client-side TLS over an existing socket, trusting the test server's self-signed certificate. */
    public static SSLSocket clientTls(Socket plain) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {TRUST_ALL}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "mx.test.example", plain.getPort(), true);
        s.setUseClientMode(true);
        s.startHandshake();
        return s;
    }

    /** A TLS client connection from a chosen loopback source address (Linux routes 127/8 to lo). */
    public static SSLSocket clientTlsFrom(String localAddress, int port) throws Exception {
        Socket plain = new Socket();
        plain.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(localAddress), 0));
        plain.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
        plain.setSoTimeout(20_000);
        return clientTls(plain);
    }

    /** Tests check the server, not certificate validation: the test CA is the self-signed cert. */
    static final X509TrustManager TRUST_ALL = new X509TrustManager() {
        @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    };

    /** Every audit line, oldest first, across the rotated files too (a test clock may pass midnight). */
    public List<String> auditLines() throws IOException {
        List<String> out = new java.util.ArrayList<>();
        for (Path f : moat.server.audit.AuditFiles.inOrder(auditLog())) {
            // a rotated file compressed right now is gone; its .gz is complete by then
            Path read = Files.exists(f) ? f : Path.of(f + ".gz");
            try (var r = moat.server.audit.AuditFiles.reader(read)) {
                r.lines().forEach(out::add);
            }
        }
        return out;
    }

    /** The last audit event named {@code event}; asserts there is one. */
    public com.fasterxml.jackson.databind.JsonNode lastAuditEvent(String event) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> found = new java.util.ArrayList<>();
        for (String line : auditLines()) {
            com.fasterxml.jackson.databind.JsonNode n = m.readTree(line);
            if (n.get("event").asText().equals(event)) found.add(n);
        }
        org.assertj.core.api.Assertions.assertThat(found).as("audit events " + event).isNotEmpty();
        return found.getLast();
    }

    /** Message body files in the data directory of a server started in {@code dir} (open or closed). */
    public static long bodyFiles(Path dir) throws IOException {
        Path messages = dir.resolve("data").resolve("messages");
        if (!Files.exists(messages)) return 0;
        try (java.util.stream.Stream<Path> files = Files.walk(messages)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    public static Map<String, Listener> listeners() {
        return Map.of("mx", Listener.MX, "submission", Listener.SUBMISSION, "submissions", Listener.SUBMISSIONS);
    }

    @Override
    public void close() {
        server.close();
    }
}
