package moat.server.hostname;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the operating system says about this machine: its names and its interface addresses.
 * An interface so {@link HostNameCheck} runs on literal data in tests; {@link #system()} is the
 * machine's own.
 */
public interface LocalHost {
    /**
     * Names of this host, best first: the canonical names of the host name's addresses (what
     * {@code hostname -f} prints: on Debian the first name of the {@code 127.0.1.1} line of
     * /etc/hosts, else the reverse DNS of its address), then the plain host name.
     */
    List<String> names();

    /** The addresses of the interfaces that are up, loopback included. */
    List<InetAddress> addresses();

    /** This machine, through the JDK (the system resolver: /etc/hosts, then DNS). */
    static LocalHost system() {
        return new LocalHost() {
            @Override
            public List<String> names() {
                Set<String> out = new LinkedHashSet<>();
                try {
                    InetAddress local = InetAddress.getLocalHost();
                    String plain = local.getHostName();
                    for (InetAddress a : InetAddress.getAllByName(plain)) {
                        String canonical = a.getCanonicalHostName();
                        // getCanonicalHostName answers the literal address when the reverse look-up fails.
                        if (!canonical.equals(a.getHostAddress())) out.add(canonical.toLowerCase(java.util.Locale.ROOT));
                    }
                    out.add(plain.toLowerCase(java.util.Locale.ROOT));
                } catch (UnknownHostException | SecurityException e) {
                    // no name at all: the caller falls back to localhost and says so
                }
                return List.copyOf(out);
            }

            @Override
            public List<InetAddress> addresses() {
                List<InetAddress> out = new ArrayList<>();
                try {
                    for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
                        if (nif.isUp()) out.addAll(nif.inetAddresses().toList());
                    }
                } catch (SocketException e) {
                    // no interface list: the checks then know no address of this host
                }
                return List.copyOf(out);
            }
        };
    }

    /** Fixed data (tests, and a dry run on another machine's facts). */
    static LocalHost of(List<String> names, List<InetAddress> addresses) {
        List<String> n = List.copyOf(names);
        List<InetAddress> a = List.copyOf(addresses);
        return new LocalHost() {
            @Override
            public List<String> names() {
                return n;
            }

            @Override
            public List<InetAddress> addresses() {
                return a;
            }
        };
    }
}
