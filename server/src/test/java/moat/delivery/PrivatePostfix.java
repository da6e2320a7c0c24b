package moat.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Debian Postfix as the remote MX: own config and queue directories, smtpd on one
 * loopback address and port, a virtual mailbox domain delivered to a Maildir, STARTTLS with a
 * self-signed certificate ({@code smtpd_tls_security_level = may}). Postfix missing is a failure
 * naming the package, never a skip.
 */
final class PrivatePostfix implements AutoCloseable {
    final Path root;
    final Path conf;
    final String domain;
    /** The port smtpd listens on. */
    final int port;
    private final Path maildir;

    private PrivatePostfix(Path root, String domain, int port) {
        this.root = root;
        this.conf = root.resolve("conf");
        this.domain = domain;
        this.port = port;
        this.maildir = root.resolve("vmail").resolve("box");
    }

    static PrivatePostfix start(String ip, int port, String domain) throws Exception {
        return start(ip, port, domain, null, null);
    }

    /**
     * On a port found free on {@code ip} ({@link #port}). Postfix takes a port number, not a
     * socket: when another process takes the port first, its master fails to bind ("Address
     * already in use") and another port is tried, up to five.
     */
    static PrivatePostfix startOnFreePort(String ip, String domain) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
                port = probe.getLocalPort();
            }
            try {
                return start(ip, port, domain);
            } catch (AssertionError e) {
                if (attempt == 5 || !String.valueOf(e.getMessage()).contains("in use")) throw e;
            }
        }
    }

    /** With a given certificate and key (PEM) instead of a fresh self-signed pair. */
    static PrivatePostfix start(String ip, int port, String domain, Path certPem, Path keyPem) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/sbin/postfix")))
            throw new AssertionError("Postfix is missing: apt-get install postfix (Debian package postfix)");
        if (!Files.isExecutable(Path.of("/usr/bin/openssl")))
            throw new AssertionError("openssl is missing: apt-get install openssl");
        Path root = Files.createTempDirectory(Path.of("/tmp"), "moat-postfix-");
        // virtual(8) delivers as nobody and must traverse into vmail.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivatePostfix p = new PrivatePostfix(root, domain, port);
        Files.createDirectories(p.conf);
        for (String d : List.of("queue", "data", "vmail")) Files.createDirectories(root.resolve(d));
        Files.copy(Path.of("/etc/postfix/master.cf"), p.conf.resolve("master.cf"));
        Files.writeString(p.conf.resolve("main.cf"), "");
        run(root, "chown", "nobody:nogroup", root.resolve("vmail").toString());
        run(root, "chown", "postfix", root.resolve("data").toString());
        if (certPem == null) {
            run(root, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=mx.remote.example", "-keyout", root.resolve("key.pem").toString(), "-out",
                    root.resolve("cert.pem").toString());
        } else {
            Files.copy(certPem, root.resolve("cert.pem"));
            Files.copy(keyPem, root.resolve("key.pem"));
        }
        List<String> pc = new ArrayList<>(List.of("postconf", "-c", p.conf.toString(), "-e",
                "compatibility_level = 3.6",
                "queue_directory = " + root.resolve("queue"),
                "data_directory = " + root.resolve("data"),
                "maillog_file_prefixes = /var, /dev/stdout, " + root,
                "maillog_file = " + root.resolve("postfix.log"),
                "myhostname = mx.remote.example",
                // Postfix checks inet_interfaces against interface addresses (lo holds only 127.0.0.1);
                // master.cf below binds smtpd to the test address explicitly.
                "inet_interfaces = 127.0.0.1", "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8", "mydestination =", "relayhost =", "relay_domains =",
                "virtual_mailbox_domains = " + domain,
                "virtual_mailbox_base = " + root.resolve("vmail"),
                "virtual_mailbox_maps = static:box/",
                "virtual_uid_maps = static:" + id("-u"), "virtual_gid_maps = static:" + id("-g"),
                "smtpd_forbid_bare_newline = yes", "smtputf8_enable = yes",
                "smtpd_tls_security_level = may",
                "smtpd_tls_cert_file = " + root.resolve("cert.pem"),
                "smtpd_tls_key_file = " + root.resolve("key.pem"),
                "smtpd_tls_protocols = >=TLSv1.2", "smtpd_tls_loglevel = 1",
                "smtp_tls_security_level = none",
                "biff = no", "alias_maps =", "alias_database ="));
        run(root, pc.toArray(String[]::new));
        // smtpd moves to the test address and port; nothing chrooted (the queue dir is private).
        Path master = p.conf.resolve("master.cf");
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(master))
            lines.add(l.matches("^smtp\\s+inet\\s.*") ? ip + ":" + port + " inet n - n - - smtpd" : l);
        Files.write(master, lines);
        run(root, "postconf", "-c", p.conf.toString(), "-F", "*/*/chroot = n");
        try {
            run(root, "postfix", "-c", p.conf.toString(), "start");
        } catch (AssertionError e) {
            String log = p.log();
            run(Path.of("/tmp"), "rm", "-rf", root.toString());
            throw new AssertionError(e.getMessage() + "\npostfix log:\n" + log, e);
        }
        return p;
    }

    private static String id(String flag) throws Exception {
        return run(Path.of("/tmp"), "id", flag, "nobody").trim();
    }

    static String run(Path dir, String... cmd) throws Exception {
        Process pr = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!pr.waitFor(60, TimeUnit.SECONDS) || pr.exitValue() != 0)
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    /** Messages delivered to the Maildir so far. */
    List<String> delivered() throws IOException {
        List<String> out = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path d = maildir.resolve(sub);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.sorted().toList()) out.add(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    /** Waits (bounded) until Postfix has moved {@code n} messages into the Maildir. */
    List<String> awaitDelivered(int n) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            List<String> got = delivered();
            if (got.size() >= n) return got;
            Thread.sleep(100);
        }
        assertThat(delivered()).as("Postfix Maildir; log:\n" + log()).hasSizeGreaterThanOrEqualTo(n);
        return delivered();
    }

    String log() throws IOException {
        Path l = root.resolve("postfix.log");
        return Files.exists(l) ? Files.readString(l) : "(no log)";
    }

    @Override
    public void close() throws Exception {
        try {
            run(root, "postfix", "-c", conf.toString(), "stop");
        } finally {
            run(Path.of("/tmp"), "rm", "-rf", root.toString());
        }
    }
}
