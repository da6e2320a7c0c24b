package moat.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import moat.core.Domain;
import moat.dns.testserver.TestDnsServer;
import moat.core.EmailAddress;
import moat.server.crash.LoadClient.Sent;
import moat.store.MailStore.StoredMessage;
import moat.store.sqlite.SqliteStore;
import moat.store.sqlite.StoreSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end "250" promise under {@code kill -9}: a real {@code moat serve} in its own JVM takes
 * SMTP load from 16 client threads while it is SIGKILLed at random moments (200-1500 ms after each
 * start) and restarted, at least 20 times. Afterwards every message that got "250" after DATA must
 * be in each of its recipients' INBOX exactly once and byte-identical (after the one Received header
 * Moat prepends); a message without "250" may be present or absent, but if present it must be whole,
 * in all its recipients' inboxes, once. Nothing may appear that was never sent.
 *
 * <p>A process kill, not a power cut: it proves the commit ordering and the recovery of the whole
 * server (SMTP reply after durable commit), while the fsyncs themselves are trusted to the kernel.
 */
@Tag("slow")
class CrashHarnessTest {
    private static final int CLIENTS = 16;
    private static final int USERS = 10;
    private static final int MIN_KILLS = 20;
    private static final int MAX_KILLS = 25;
    private static final int MIN_ACKED = 1000;
    /** Keep killing (up to MAX_KILLS) until this many are acknowledged, for margin over MIN_ACKED. */
    private static final int TARGET_ACKED = 1500;
    private static final long KILL_PHASE_NANOS = TimeUnit.MINUTES.toNanos(4);
    private static final long READY_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    private TestDnsServer dnsServer;

    @org.junit.jupiter.api.AfterEach
    void stopDns() {
        if (dnsServer != null) dnsServer.close();
    }

    @Test
    void everyAcknowledgedMessageSurvivesKillNineExactlyOnceAndIntact() throws Exception {
        long started = System.nanoTime();
        long seed = Long.getLong("crash.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Path data = dir.resolve("data");
        Path work = Files.createDirectories(dir.resolve("work"));
        int[] ports = freePorts(3);
        Path config = work.resolve("moat.toml");
        // A durability test: the perimeter (per-client limits, banner delay) is opened up, and DNS
        // goes to an in-JVM server that answers NXDOMAIN at once, so no check waits on the network.
        dnsServer = TestDnsServer.builder().records("example.org. 300 IN MX 10 mx.test.example.").start();
        Files.writeString(config, """
                server.hostname = "mx.test.example"
                server.data_dir = "%s"
                listener.bind_address = ["127.0.0.1"]
                listener.smtp_port = %d
                listener.submission_port = %d
                listener.submissions_port = %d
                listener.pop3_port = "off"
                listener.pop3s_port = "off"
                listener.imap_port = "off"
                listener.imaps_port = "off"
                dns.resolvers = ["127.0.0.1:%d"]
                limits.banner_delay = "0s"
                limits.connection_rate = 1000000
                limits.max_connections_per_ip = 100000
                limits.message_rate = 10000000
                limits.recipient_rate = 10000000
                delivery.enabled = false
                """.formatted(data.toAbsolutePath(), ports[0], ports[1], ports[2], dnsServer.address().getPort()));
        try (SqliteStore store = SqliteStore.open(data, StoreSettings.defaults())) {
            store.addDomain(Domain.of("example.org"));
            for (int u = 0; u < USERS; u++) store.addUser(EmailAddress.of("u" + u + "@example.org"), ("pw-u" + u + "-crash").toCharArray());
        }

        ServerProcess server = new ServerProcess(work, config, dir.resolve("server.log"), ports[0]);
        server.start(READY_TIMEOUT_MS);

        Map<String, Sent> ledger = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sessions = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(Thread.ofPlatform().name("crash-client-" + c).daemon()
                    .start(new LoadClient(c, ports[0], USERS, random.nextLong(), stop, ledger, sessions, acked)));
        }

        int kills = 0;
        List<Integer> exitValues = new ArrayList<>();
        try {
            long phaseEnd = started + KILL_PHASE_NANOS;
            while (kills < MAX_KILLS && System.nanoTime() < phaseEnd
                    && (kills < MIN_KILLS || acked.get() < TARGET_ACKED)) {
                Thread.sleep(200 + random.nextInt(1301));
                exitValues.add(server.kill());
                kills++;
                if (kills < MAX_KILLS && System.nanoTime() < phaseEnd
                        && (kills < MIN_KILLS || acked.get() < TARGET_ACKED)) {
                    server.start(READY_TIMEOUT_MS);
                }
            }
            if (server.isAlive()) { // the time bound ended the phase while it was up: end it the same way
                exitValues.add(server.kill());
                kills++;
            }
        } finally {
            // the last event of the load phase is a kill: stop the clients while the server is down
            stop.set(true);
            for (Thread t : clients) t.join(30_000);
            if (server.isAlive()) server.kill();
        }
        assertThat(clients).noneMatch(Thread::isAlive);

        // one last start: recovery, then a clean stop so the store can be opened here
        server.start(READY_TIMEOUT_MS);
        server.stop();
        Verdict v = verify(data, ledger);

        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        long ackedCount = ledger.values().stream().filter(Sent::acked).count();
        String summary = "CRASH-HARNESS kills=" + kills + " acked=" + ackedCount + " lost=" + v.lost
                + " duplicated=" + v.duplicated + " corrupted=" + v.corrupted
                + " unacked_present=" + v.unackedPresent + " unacked_absent=" + v.unackedAbsent
                + " unacked_partial=" + v.unackedPartial + " stray=" + v.stray + " unreadable=" + v.unreadable
                + " sessions=" + sessions.get() + " seconds=" + seconds + " seed=" + seed;
        System.out.println(summary);
        for (String d : v.details.subList(0, Math.min(20, v.details.size()))) System.out.println("CRASH-HARNESS detail: " + d);
        Path report = Path.of(System.getProperty("basedir", "."), "target", "crash-harness.txt");
        Files.createDirectories(report.getParent());
        // the child's output of all starts, for a look after a failure (the temp dir is deleted)
        Files.copy(dir.resolve("server.log"), report.resolveSibling("crash-harness-server.log"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(report, summary + "\n" + String.join("\n", v.details) + (v.details.isEmpty() ? "" : "\n"));

        assertThat(exitValues).as("every kill was a SIGKILL (exit 128+9)").allMatch(e -> e == ServerProcess.SIGKILL_EXIT);
        assertThat(v.lost).as("lost").isZero();
        assertThat(v.duplicated).as("duplicated").isZero();
        assertThat(v.corrupted).as("corrupted").isZero();
        assertThat(v.unackedPartial).as("unacknowledged but in only some recipients' inboxes").isZero();
        assertThat(v.stray).as("stored messages that were never sent (or went to a non-recipient)").isZero();
        assertThat(v.unreadable).as("index rows whose body cannot be read").isZero();
        assertThat(ackedCount).as("acknowledged").isGreaterThanOrEqualTo(MIN_ACKED);
        assertThat(kills).as("kills").isGreaterThanOrEqualTo(MIN_KILLS);
    }

    /** Counts per message (not per recipient); details name the first problems. */
    static final class Verdict {
        long lost;
        long duplicated;
        long corrupted;
        long unackedPresent;
        long unackedAbsent;
        long unackedPartial;
        long stray;
        long unreadable;
        final List<String> details = new ArrayList<>();
    }

    /** A stored copy: its store row, the queue id in its Received header, the bytes after that header. */
    private record Copy(StoredMessage row, String receivedId, byte[] body) {}

    private static Verdict verify(Path data, Map<String, Sent> ledger) throws IOException {
        Verdict v = new Verdict();
        // message id -> user -> copies in that user's INBOX
        Map<String, Map<String, List<Copy>>> found = new HashMap<>();
        try (SqliteStore store = SqliteStore.open(data, StoreSettings.defaults())) {
            for (int u = 0; u < USERS; u++) {
                String user = "u" + u + "@example.org";
                for (StoredMessage m : store.messages(EmailAddress.of(user), "INBOX")) {
                    byte[] raw;
                    try (InputStream in = store.open(m)) {
                        raw = in.readAllBytes();
                    } catch (IOException e) { // an index row without its body file
                        v.unreadable++;
                        v.details.add("unreadable: " + user + " uid " + m.uid() + " queue id " + m.queueId() + ": " + e);
                        continue;
                    }
                    int bodyStart = afterReceived(raw);
                    // Moat also adds its own Authentication-Results (RFC 8601) right after Received.
                    int sentStart = bodyStart < 0 ? 0 : afterField(raw, bodyStart, "Authentication-Results:");
                    byte[] body = Arrays.copyOfRange(raw, sentStart, raw.length);
                    String receivedId = bodyStart < 0 ? null : receivedId(new String(raw, 0, bodyStart, StandardCharsets.US_ASCII));
                    String messageId = messageId(body);
                    if (messageId == null || !ledger.containsKey(messageId)) {
                        v.stray++;
                        v.details.add("stray: " + user + " uid " + m.uid() + " queue id " + m.queueId() + " message-id " + messageId);
                        continue;
                    }
                    found.computeIfAbsent(messageId, k -> new HashMap<>())
                            .computeIfAbsent(user, k -> new ArrayList<>()).add(new Copy(m, receivedId, body));
                }
            }
        }
        for (Sent s : ledger.values()) {
            Map<String, List<Copy>> byUser = found.getOrDefault(s.messageId, Map.of());
            Set<String> extraUsers = new HashSet<>(byUser.keySet());
            s.recipients.forEach(extraUsers::remove);
            if (!extraUsers.isEmpty()) {
                v.stray++;
                v.details.add("misdelivered: " + s.messageId + " to " + extraUsers + " (recipients " + s.recipients + ")");
            }
            int present = 0;
            boolean duplicate = false;
            boolean corrupt = false;
            for (String r : s.recipients) {
                List<Copy> copies = byUser.getOrDefault(r, List.of());
                if (!copies.isEmpty()) present++;
                if (copies.size() > 1) {
                    duplicate = true;
                    v.details.add("duplicate: " + s.messageId + " " + copies.size() + "x in " + r + " (acked as " + s.queueId + ")");
                }
                for (Copy c : copies) {
                    String problem = null;
                    if (!Arrays.equals(c.body, s.content)) {
                        problem = "body differs (" + c.body.length + " bytes stored, " + s.content.length + " sent, first difference at "
                                + Arrays.mismatch(c.body, s.content) + ")";
                    } else if (c.receivedId == null) {
                        problem = "no Received header";
                    } else if (!c.receivedId.equals(c.row.queueId())) {
                        problem = "Received id " + c.receivedId + " but stored queue id " + c.row.queueId();
                    } else if (s.acked() && !s.queueId.equals(c.row.queueId())) {
                        problem = "acked as " + s.queueId + " but stored as " + c.row.queueId();
                    }
                    if (problem != null) {
                        corrupt = true;
                        v.details.add("corrupted: " + s.messageId + " in " + r + ": " + problem);
                    }
                }
            }
            if (duplicate) v.duplicated++;
            if (corrupt) v.corrupted++;
            if (s.acked()) {
                if (present < s.recipients.size()) {
                    v.lost++;
                    v.details.add("lost: " + s.messageId + " acked as " + s.queueId + ", in " + present + " of "
                            + s.recipients.size() + " inboxes " + s.recipients);
                }
            } else if (present == 0) {
                v.unackedAbsent++;
            } else if (present == s.recipients.size()) {
                v.unackedPresent++;
            } else {
                v.unackedPartial++;
                v.details.add("partial: unacked " + s.messageId + " in " + present + " of " + s.recipients.size() + " inboxes");
            }
        }
        return v;
    }

    /** Offset just after the first header if it is "Received:" with its tab-folded lines; -1 if there is none. */
    static int afterReceived(byte[] raw) {
        if (!new String(raw, 0, Math.min(raw.length, 9), StandardCharsets.US_ASCII).equals("Received:")) return -1;
        int i = 0;
        while (true) {
            int nl = indexOf(raw, (byte) '\n', i);
            if (nl < 0) return raw.length;
            i = nl + 1;
            if (i >= raw.length || raw[i] != '\t') return i;
        }
    }

    /** Offset after the header field at {@code from} if it is {@code name} (with its folded lines), else {@code from}. */
    static int afterField(byte[] raw, int from, String name) {
        int n = name.length();
        if (raw.length < from + n || !new String(raw, from, n, StandardCharsets.US_ASCII).equalsIgnoreCase(name)) return from;
        int i = from;
        while (true) {
            int nl = indexOf(raw, (byte) '\n', i);
            if (nl < 0) return raw.length;
            i = nl + 1;
            if (i >= raw.length || (raw[i] != '\t' && raw[i] != ' ')) return i;
        }
    }

    private static String receivedId(String header) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" id (\\S+?)[;\\s]").matcher(header);
        return m.find() ? m.group(1) : null;
    }

    /** The Message-ID of the header section, without the angle brackets. */
    private static String messageId(byte[] body) {
        int end = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String headers = new String(body, 0, end < 0 ? body.length : end, StandardCharsets.US_ASCII);
        for (String line : headers.split("\r\n")) {
            if (line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
                String v = line.substring(11).strip();
                return v.startsWith("<") && v.endsWith(">") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == b) return i;
        return -1;
    }

    private static int indexOf(byte[] a, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= a.length; i++) {
            for (int j = 0; j < needle.length; j++) if (a[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** Distinct free loopback ports, found once and reused across all restarts. */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) s.close();
        }
    }
}
