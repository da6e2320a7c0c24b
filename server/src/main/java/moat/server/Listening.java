package moat.server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.server.MoatServer.StartupException;
import moat.server.config.ServerSettings;
import moat.server.connection.Acceptor;

/**
 * The listeners of one protocol, bound the same way for SMTP, IMAP and POP3: each listener port
 * on every {@code listener.bind_address}, a bind failure turned into advice for the admin, and
 * what was bound so far closed again when one fails.
 */
record Listening(List<Acceptor> acceptors, Map<Setting<ListenerPort>, Integer> ports) implements Service {

    /** Binds one listener of a protocol; {@link BindException} when the port is taken or privileged. */
    @FunctionalInterface
    interface Binder {
        Acceptor bind(InetAddress address, int port) throws IOException;
    }

    /**
     * One listener port of a protocol.
     *
     * @param port its setting ({@code listener.smtp_port}); {@code server.port_offset} is added
     * @param role its name in messages ({@code mx}, {@code imaps}, {@code pop3})
     */
    record Port(Setting<ListenerPort> port, String role, Binder binder) {}

    static Listening bind(Foundation f, List<Port> ports) throws IOException, StartupException {
        List<Acceptor> bound = new ArrayList<>();
        Map<Setting<ListenerPort>, Integer> first = new LinkedHashMap<>();
        try {
            for (Port p : ports) {
                java.util.OptionalInt configured = ServerSettings.effectivePort(f.config(), p.port());
                if (configured.isEmpty()) continue; // "off": no socket at all for this service
                int port = configured.getAsInt();
                for (String bind : f.config().get(ServerSettings.BIND_ADDRESSES)) {
                    InetAddress address = InetAddress.getByName(bind);
                    Acceptor a;
                    try {
                        a = p.binder().bind(address, port);
                    } catch (BindException e) {
                        throw new StartupException(bindAdvice(address, port, p.role(), e), e);
                    }
                    bound.add(a);
                    first.putIfAbsent(p.port(), a.port());
                }
            }
        } catch (IOException | StartupException | RuntimeException e) {
            bound.forEach(Foundation::closeQuietly);
            throw e;
        }
        return new Listening(List.copyOf(bound), java.util.Collections.unmodifiableMap(first));
    }

    /** Plain words for the two usual bind failures. */
    static String bindAdvice(InetAddress bind, int port, String role, BindException e) {
        return bindAdvice(bind, port, role, e, javaCommand());
    }

    /**
     * {@code java}: the binary of this JVM, for the setcap line. Only "Permission denied" (EACCES)
     * means privileges: a port below 1024 already taken (a Debian host's exim4 or Postfix on 25)
     * fails the same way for root, and the advice for it is the other mail server, not setcap.
     */
    static String bindAdvice(InetAddress bind, int port, String role, BindException e, String java) {
        String where = bind.getHostAddress() + ":" + port + " (" + role + ")";
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("ermission")) {
            // A binary with file capabilities runs in secure-execution mode, where the loader ignores
            // java's $ORIGIN run path: without the ld.so.conf.d line java fails with "libjli.so:
            // cannot open shared object file" (tried on Temurin 25).
            return "cannot listen on " + where + ": ports below 1024 need privileges. Either\n"
                    + "  - let Java bind them (the second line: java with a capability no longer finds libjli.so):\n"
                    + "      sudo setcap 'cap_net_bind_service=+ep' " + java + "\n"
                    + "      echo " + jdkLib(java) + " | sudo tee /etc/ld.so.conf.d/moat-java.conf && sudo ldconfig\n"
                    + "  - or run on high ports: moat config set server.port_offset 10000 (25 -> 10025, 587 -> 10587,\n"
                    + "    465 -> 10465) and forward the real ports with your firewall (see README, \"Ports below 1024\");\n"
                    + "  - or switch off a service you do not offer: moat config set listener."
                    + (role.equals("mx") ? "smtp" : role) + "_port off";
        }
        return "cannot listen on " + where + ": " + msg + " (is another mail server running? ss -ltnp 'sport = :"
                + port + "' names it; or change listener.* in moat.toml)";
    }

    /** The real path of this JVM's java binary (setcap needs the file, not a symlink to it). */
    private static String javaCommand() {
        Path binary = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            return binary.toRealPath().toString();
        } catch (IOException e) {
            return binary.toString();
        }
    }

    /** {@code /usr/lib/jvm/jdk/bin/java} -> {@code /usr/lib/jvm/jdk/lib}, where libjli.so is. */
    static String jdkLib(String java) {
        Path bin = Path.of(java).getParent();
        Path home = bin == null ? null : bin.getParent();
        return home == null ? "$JAVA_HOME/lib" : home.resolve("lib").toString();
    }

    @Override
    public void close() {
        acceptors.forEach(Foundation::closeQuietly);
    }
}
