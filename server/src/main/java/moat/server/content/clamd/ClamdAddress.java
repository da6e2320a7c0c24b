package moat.server.content.clamd;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where clamd listens, as written in {@code content.clamd_address}: {@code unix:/run/clamav/clamd.ctl}
 * (clamd's LocalSocket) or {@code tcp:127.0.0.1:3310} (TCPSocket/TCPAddr; an IPv6 literal in brackets,
 * {@code tcp:[::1]:3310}).
 */
public sealed interface ClamdAddress {
    /** The socket address to connect to (resolving a TCP host name at each call). */
    SocketAddress socketAddress();

    record Unix(Path path) implements ClamdAddress {
        @Override
        public SocketAddress socketAddress() {
            return UnixDomainSocketAddress.of(path);
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    record Tcp(String host, int port) implements ClamdAddress {
        @Override
        public SocketAddress socketAddress() {
            return new InetSocketAddress(host, port);
        }

        @Override
        public String toString() {
            return "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** Parses the config spelling; {@link IllegalArgumentException} says what is wrong. */
    static ClamdAddress parse(String s) {
        if (s.startsWith("unix:")) {
            String p = s.substring(5);
            if (p.isEmpty() || !p.startsWith("/")) throw new IllegalArgumentException("unix: needs an absolute socket path");
            return new Unix(Path.of(p));
        }
        if (s.startsWith("tcp:")) {
            String rest = s.substring(4);
            int colon = rest.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("tcp: needs host:port");
            String host = rest.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            if (host.isEmpty() || host.contains("[") || host.contains("]") || host.contains(" ")) {
                throw new IllegalArgumentException("tcp: bad host " + host);
            }
            int port;
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("tcp: bad port " + rest.substring(colon + 1));
            }
            if (port < 1 || port > 65535) throw new IllegalArgumentException("tcp: port out of range " + port);
            return new Tcp(host, port);
        }
        throw new IllegalArgumentException("must start with unix: or tcp:");
    }

    /** True when {@link #parse} accepts {@code s}. */
    static boolean valid(String s) {
        try {
            parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
