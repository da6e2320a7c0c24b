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
                "1.0.0.127.in-addr.arpa. PTR client.bench.example.",
                "client.bench.example. A 127.0.0.1",
                "helo.bench.example. A 127.0.0.1").start()) {
            DnsjavaResolver resolver = new DnsjavaResolver(new DnsjavaResolver.Config(List.of(dns.address()),
                    Duration.ofSeconds(2), 10_000, Duration.ofHours(1)), Clock.systemUTC());
            String[] off = {"rdns.no_ptr_action = \"off\"", "rdns.not_confirmed_action = \"off\"", "rdns.generic_action = \"off\"",
                    "helo.invalid_action = \"off\"", "helo.forged_action = \"off\"", "helo.non_fqdn_action = \"off\"",
                    "helo.literal_mismatch_action = \"off\"", "helo.unresolvable_action = \"off\""};
            String[] on = {"dnsbl.zones = [\"bl1.bench.example\", \"bl2.bench.example\"]",
                    "rhsbl.zones = [\"dbl.bench.example\"]", "policy.deny_networks = [\"203.0.113.0/24\"]",
                    "greylist.action = \"defer\"", "greylist.delay = \"1s\"", "greylist.auto_allow_after = 1"};
            for (int round = 0; round < 2; round++) { // the first round warms the JIT
                report("checks off", run(off, resolver, sessions, threads), round);
                report("checks on ", run(on, resolver, sessions, threads), round);
            }
            System.out.println("DNS queries answered by the test server: " + dns.queryCount());
        }
    }

    private static void report(String what, double rate, int round) {
        if (round > 0) System.out.printf("%s: %.0f messages/s%n", what, rate);
    }

    private static double run(String[] toml, DnsjavaResolver dns, int sessions, int threads) throws Exception {
        Path dir = Files.createTempDirectory("moat-bench");
        try (TestServer s = TestServer.start(dir, dns, Clock.systemUTC(), toml)) {
            // Pass greylisting once (delay 1s, auto-allow after 1) so the run measures steady state.
            send(s);
            Thread.sleep(1100);
            send(s);
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
