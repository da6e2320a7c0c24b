package moat.server.policy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import moat.dns.DnsjavaResolver;
import moat.dns.testserver.TestDnsServer;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;

/**
 * Not a test: acceptance rate (messages accepted per second over loopback) with every perimeter
 * check on (DNS answered by the in-JVM test DNS server, cache on) versus all off. Run with
 * bench/perimeter.sh. Arguments: sessions (default 2000), concurrency (default 16).
 */
public final class PerimeterBench {
    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        try (TestDnsServer dns = TestDnsServer.builder().records(
                "1.0.0.127.in-addr.arpa. PTR mta.bench.example.",       // not generic, forward-confirmed
                "mta.bench.example. A 127.0.0.1",
                "helo.bench.example. A 127.0.0.1",
                // The block-list zones exist on the test server and list someone else: the client
                // (127.0.0.1) and the sender domain get NXDOMAIN from a served zone, as from a real list.
                "2.0.0.127.bl1.bench.example. A 127.0.0.2",
                "2.0.0.127.bl2.bench.example. A 127.0.0.2",
                "listed.example.dbl.bench.example. A 127.0.1.2").start()) {
            String[] off = {"rdns.no_ptr_action = \"off\"", "rdns.not_confirmed_action = \"off\"", "rdns.generic_action = \"off\"",
                    "helo.invalid_action = \"off\"", "helo.forged_action = \"off\"", "helo.non_fqdn_action = \"off\"",
                    "helo.literal_mismatch_action = \"off\"", "helo.unresolvable_action = \"off\""};
            // Every check runs: rDNS and HELO decide (reject/defer, not only score), two DNSBL zones,
            // one RHSBL zone, a deny list, greylisting with auto-allow (passed once before timing).
            String[] on = {"rdns.no_ptr_action = \"reject\"", "rdns.not_confirmed_action = \"defer\"",
                    "rdns.generic_action = \"score\"", "helo.invalid_action = \"reject\"", "helo.forged_action = \"reject\"",
                    "helo.non_fqdn_action = \"reject\"", "helo.literal_mismatch_action = \"reject\"",
                    "helo.unresolvable_action = \"reject\"", "dnsbl.action = \"reject\"", "rhsbl.action = \"reject\"",
                    "dnsbl.zones = [\"bl1.bench.example\", \"bl2.bench.example\"]",
                    "rhsbl.zones = [\"dbl.bench.example\"]", "policy.deny_networks = [\"203.0.113.0/24\"]",
                    "greylist.action = \"defer\"", "greylist.delay = \"1s\"", "greylist.auto_allow_after = 1"};
            for (int round = 0; round < 2; round++) { // the first round warms the JIT
                report("checks off", run(off, dns, sessions, threads), round);
                report("checks on ", run(on, dns, sessions, threads), round);
            }
            System.out.println("DNS queries answered by the test server: " + dns.queryCount());
        }
    }

    private static void report(String what, double rate, int round) {
        if (round > 0) System.out.printf("%s: %.0f messages/s%n", what, rate);
    }

    /** The per-client limits would refuse one client sending thousands of messages: opened for both runs. */
    private static final String[] OPEN_LIMITS = {"limits.connection_rate = 1000000", "limits.max_connections_per_ip = 10000",
            "limits.message_rate = 10000000", "limits.recipient_rate = 10000000"};

    private static double run(String[] checks, TestDnsServer dnsServer, int sessions, int threads) throws Exception {
        String[] toml = java.util.stream.Stream.concat(java.util.Arrays.stream(checks), java.util.Arrays.stream(OPEN_LIMITS))
                .toArray(String[]::new);
        Path dir = Files.createTempDirectory("moat-bench");
        // A fresh resolver (and cache) per run: each configuration pays its own cold lookups.
        DnsjavaResolver dns = new DnsjavaResolver(new DnsjavaResolver.Config(List.of(dnsServer.address()),
                Duration.ofSeconds(2), 10_000, Duration.ofHours(1)), Clock.systemUTC());
        long queries0 = dnsServer.queryCount();
        try (TestServer s = TestServer.start(dir, dns, Clock.systemUTC(), toml)) {
            // Pass greylisting once (delay 1s, auto-allow after 1) so the run measures steady state.
            boolean first = send(s);
            Thread.sleep(1100);
            boolean second = send(s);
            System.out.printf("  [%s] first message %s, retry %s%n", toml[0], first ? "accepted" : "deferred (greylisted)",
                    second ? "accepted" : "REFUSED");
            AtomicInteger accepted = new AtomicInteger();
            long t0 = System.nanoTime();
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<?>> fs = new java.util.ArrayList<>();
                for (int i = 0; i < sessions; i++) fs.add(pool.submit(() -> {
                    if (send(s)) accepted.incrementAndGet();
                    return null;
                }));
                for (Future<?> f : fs) f.get();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long scored = s.auditLines().stream().filter(l -> l.contains("\"event\":\"policy.score\"")).count();
            System.out.printf("  [%s] DNS queries sent to the test server: %d; policy.score events: %d%n", toml[0],
                    dnsServer.queryCount() - queries0, scored);
            if (accepted.get() != sessions) System.out.println("  (only " + accepted.get() + " of " + sessions + " accepted)");
            return accepted.get() / secs;
        }
    }

    private static boolean send(TestServer s) throws Exception {
        try (SmtpClient c = new SmtpClient("127.0.0.1", s.port(Listener.MX))) {
            c.reply();
            c.cmd("EHLO helo.bench.example");
            c.cmd("MAIL FROM:<sender@bench.example>");
            if (!c.cmd("RCPT TO:<alice@example.org>").startsWith("250")) return false;
            c.cmd("DATA");
            boolean ok = c.cmd("Subject: bench\r\n\r\nhello\r\n.").startsWith("250");
            c.cmd("QUIT");
            return ok;
        }
    }
}
