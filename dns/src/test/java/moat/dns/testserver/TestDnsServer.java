package moat.dns.testserver;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.Type;
import org.xbill.DNS.Zone;

/**
 * An authoritative DNS server on loopback (UDP and TCP on one port) answering from zones written
 * as master-file text (RFC 1035 section 5). It also answers like a recursive resolver for its
 * own data: CNAMEs are chased across its zones and RA is set, so a stub resolver can point at it.
 *
 * <pre>{@code
 * try (TestDnsServer dns = TestDnsServer.builder()
 *         .records("2.0.0.127.zen.example. A 127.0.0.2",
 *                  "example.com. TXT \"v=spf1 -all\"")
 *         .timeout("slow.example.")
 *         .start()) {
 *     InetSocketAddress addr = dns.address();
 * }
 * }</pre>
 *
 * <p>{@link Builder#records} lines go into an implicit root zone, so any absolute name works
 * and a name with no records is NXDOMAIN. Names marked {@link #timeout} are silently dropped
 * (the client times out); names marked {@link #servfail} answer SERVFAIL. Both match the name and
 * everything under it, and can be changed while the server runs.
 */
public final class TestDnsServer implements AutoCloseable {
    private final List<Zone> zones; // longest origin first
    private final boolean authenticated;
    private final Set<Name> timeouts = ConcurrentHashMap.newKeySet();
    private final Set<Name> servfails = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queries = new AtomicInteger();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private volatile boolean closed;

    private TestDnsServer(List<Zone> zones, boolean authenticated, DatagramSocket udp, ServerSocket tcp) {
        this.zones = zones;
        this.authenticated = authenticated;
        this.udp = udp;
        this.tcp = tcp;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The UDP and TCP address (same port) to give a resolver. */
    public InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    /** How many queries arrived so far (dropped ones included): lets tests see cache hits. */
    public int queryCount() {
        return queries.get();
    }

    /** From now on, queries for {@code name} and names under it are dropped unanswered. */
    public void timeout(String name) {
        timeouts.add(name(name));
    }

    /** From now on, queries for {@code name} and names under it answer SERVFAIL. */
    public void servfail(String name) {
        servfails.add(name(name));
    }

    /** Answers one query message; empty when it is to be dropped. Public for tests of the server itself. */
    public java.util.Optional<Message> answer(Message query) {
        queries.incrementAndGet();
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) response.getHeader().setFlag(Flags.RD);
        if (question == null || query.getHeader().getOpcode() != Opcode.QUERY) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return java.util.Optional.of(response);
        }
        response.addRecord(question, Section.QUESTION);
        Name current = question.getName();
        if (matches(timeouts, current)) return java.util.Optional.empty();
        if (matches(servfails, current)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return java.util.Optional.of(response);
        }
        int type = question.getType();
        for (int hop = 0; hop < 10; hop++) {
            Zone zone = zoneFor(current);
            if (zone == null) {
                if (hop == 0) response.getHeader().setRcode(Rcode.REFUSED);
                return java.util.Optional.of(response);
            }
            if (hop == 0) response.getHeader().setFlag(Flags.AA);
            SetResponse sr = zone.findRecords(current, type);
            if (sr.isSuccessful()) {
                for (RRset set : sr.answers()) for (Record r : set.rrs()) response.addRecord(r, Section.ANSWER);
                break;
            }
            if (sr.isCNAME()) {
                response.addRecord(sr.getCNAME(), Section.ANSWER);
                current = sr.getCNAME().getTarget();
                if (matches(timeouts, current)) return java.util.Optional.empty();
                continue;
            }
            if (sr.isNXDOMAIN()) response.getHeader().setRcode(Rcode.NXDOMAIN);
            response.addRecord(zone.getSOA(), Section.AUTHORITY);
            break;
        }
        if (authenticated && query.getHeader().getFlag(Flags.AD)) response.getHeader().setFlag(Flags.AD);
        return java.util.Optional.of(response);
    }

    private Zone zoneFor(Name name) {
        for (Zone z : zones) if (name.subdomain(z.getOrigin())) return z;
        return null;
    }

    private static boolean matches(Set<Name> set, Name name) {
        for (Name n : set) if (name.subdomain(n)) return true;
        return false;
    }

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
                Message query = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                java.util.Optional<Message> response = answer(query);
                if (response.isEmpty()) continue;
                OPTRecord opt = query.getOPT();
                int max = opt == null ? 512 : Math.max(512, opt.getPayloadSize());
                byte[] wire = response.get().toWire(max); // sets TC when it does not fit
                udp.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (closed) return; // socket closed by close()
                // a malformed packet: ignore it, like a real server
            }
        }
    }

    private void serveTcp() {
        while (!closed) {
            try {
                Socket s = tcp.accept();
                Thread.ofVirtual().name("test-dns-tcp").start(() -> serveTcp(s));
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void serveTcp(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream());
             OutputStream raw = s.getOutputStream()) {
            DataOutputStream out = new DataOutputStream(raw);
            while (true) {
                int len = in.readUnsignedShort();
                byte[] msg = in.readNBytes(len);
                if (msg.length != len) return;
                java.util.Optional<Message> response = answer(new Message(msg));
                if (response.isEmpty()) continue;
                byte[] wire = response.get().toWire();
                out.writeShort(wire.length);
                out.write(wire);
                out.flush();
            }
        } catch (IOException e) {
            // client closed the connection
        }
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private static Name name(String text) {
        try {
            String t = text.endsWith(".") ? text : text + ".";
            return Name.fromString(t.toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            throw new IllegalArgumentException("bad DNS name: " + text, e);
        }
    }

    /** Zones and behaviour; {@link #start} binds a free loopback port. */
    public static final class Builder {
        private final Map<Name, StringBuilder> zoneTexts = new LinkedHashMap<>();
        private final List<String> timeouts = new ArrayList<>();
        private final List<String> servfails = new ArrayList<>();
        private boolean authenticated;
        private InetAddress bind = InetAddress.getLoopbackAddress();

        private Builder() {}

        /**
         * A zone in master-file syntax, relative names relative to {@code origin}. An SOA and NS
         * record at the apex are added when the text has none.
         */
        public Builder zone(String origin, String masterText) {
            zoneTexts.computeIfAbsent(name(origin), k -> new StringBuilder()).append(masterText).append('\n');
            return this;
        }

        /** Record lines with absolute names, e.g. {@code "mail.example.com. A 192.0.2.1"}, in the root zone. */
        public Builder records(String... lines) {
            StringBuilder sb = zoneTexts.computeIfAbsent(Name.root, k -> new StringBuilder());
            for (String l : lines) sb.append(l).append('\n');
            return this;
        }

        public Builder timeout(String name) {
            timeouts.add(name);
            return this;
        }

        public Builder servfail(String name) {
            servfails.add(name);
            return this;
        }

        /** Sets AD on answers to queries that ask for it, as a validating resolver would. */
        public Builder dnssecAuthenticated(boolean ad) {
            this.authenticated = ad;
            return this;
        }

        public Builder bind(InetAddress address) {
            this.bind = address;
            return this;
        }

        public TestDnsServer start() throws IOException {
            List<Zone> zones = new ArrayList<>();
            for (Map.Entry<Name, StringBuilder> e : zoneTexts.entrySet()) zones.add(parse(e.getKey(), e.getValue().toString()));
            zones.sort(Comparator.comparingInt((Zone z) -> z.getOrigin().labels()).reversed());
            for (int attempt = 0; ; attempt++) {
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(bind, 0));
                ServerSocket tcp = new ServerSocket();
                try {
                    tcp.setReuseAddress(true);
                    tcp.bind(new InetSocketAddress(bind, udp.getLocalPort()), 50);
                } catch (SocketException e) {
                    udp.close();
                    tcp.close();
                    if (attempt > 20) throw e;
                    continue;
                }
                TestDnsServer server = new TestDnsServer(List.copyOf(zones), authenticated, udp, tcp);
                for (String t : timeouts) server.timeout(t);
                for (String s : servfails) server.servfail(s);
                Thread.ofPlatform().daemon().name("test-dns-udp-" + udp.getLocalPort()).start(server::serveUdp);
                Thread.ofPlatform().daemon().name("test-dns-tcp-" + udp.getLocalPort()).start(server::serveTcp);
                return server;
            }
        }

        private static Zone parse(Name origin, String text) throws IOException {
            List<Record> records = new ArrayList<>();
            InputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
            try (Master m = new Master(in, origin, 300)) {
                for (Record r = m.nextRecord(); r != null; r = m.nextRecord()) records.add(r);
            }
            boolean hasSoa = records.stream().anyMatch(r -> r.getType() == Type.SOA && r.getName().equals(origin));
            boolean hasNs = records.stream().anyMatch(r -> r.getType() == Type.NS && r.getName().equals(origin));
            if (!hasSoa) {
                records.addFirst(Record.fromString(origin, Type.SOA, DClass.IN, 300,
                        "ns.invalid. hostmaster.invalid. 1 3600 600 86400 60", Name.root));
            }
            if (!hasNs) records.add(Record.fromString(origin, Type.NS, DClass.IN, 300, "ns.invalid.", Name.root));
            return new Zone(origin, records.toArray(Record[]::new));
        }
    }
}
