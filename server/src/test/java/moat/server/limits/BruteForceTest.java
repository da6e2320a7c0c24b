package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.SmtpClient;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 wrong passwords over SMTP AUTH on the submission port, from one address and from 249
 * addresses of one /24, end in lockouts; the real users still get in from a clean network and
 * from a known-good address. The production Argon2 cost is kept (the store does not expose it as
 * a setting); the test stays fast because locked attempts are never hashed, and runs its
 * connections in parallel.
 */
class BruteForceTest {
    @TempDir
    Path tmp;

    private final AtomicInteger failed = new AtomicInteger();   // 535
    private final AtomicInteger locked = new AtomicInteger();   // 454
    private final AtomicInteger other = new AtomicInteger();

    @Test
    @Timeout(55)
    void bruteForceEndsInLockoutsWhileRealUsersStillGetIn() throws Exception {
        try (TestServer s = TestServer.start(tmp, "smtp.max_errors = 1000", "limits.auth_backoff_base = \"1ms\"",
                "limits.auth_backoff_max = \"20ms\"")) {
            int port = s.port(Listener.SUBMISSION);
            // alice has logged in from 127.0.0.251 before: that address is known-good for her
            assertThat(login(port, "127.0.0.251", "alice@example.org", TestServer.ALICE_PASSWORD)).isEqualTo(235);

            long start = System.nanoTime();
            Semaphore parallel = new Semaphore(32);
            List<Future<?>> work = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                // 500 guesses at alice from one address, 5 connections of 100
                for (int i = 0; i < 5; i++) work.add(pool.submit(() -> attack(port, "127.0.0.1", "alice@example.org", 100, parallel)));
                // 500 guesses at bob from 249 addresses of 127.0.0.0/24: 2 each, 4 from the first
                for (int host = 2; host <= 250; host++) {
                    int n = host == 2 ? 4 : 2;
                    String from = "127.0.0." + host;
                    work.add(pool.submit(() -> attack(port, from, "bob@example.org", n, parallel)));
                }
                for (Future<?> f : work) f.get();
            }
            long ms = (System.nanoTime() - start) / 1_000_000;

            List<String> lockouts = s.auditLines().stream().filter(l -> l.contains("\"event\":\"auth.lockout\"")).toList();
            System.out.printf("brute force: 1000 wrong passwords in %d ms: %d answered 535, %d answered 454, %d other; "
                    + "%d auth.lockout events%n", ms, failed.get(), locked.get(), other.get(), lockouts.size());
            lockouts.forEach(l -> System.out.println("  " + l));

            assertThat(failed.get() + locked.get()).isEqualTo(1000);
            assertThat(locked.get()).as("most guesses never reach the password check").isGreaterThan(900);
            assertThat(lockouts).anyMatch(l -> l.contains("\"scope\":\"client\"") && l.contains("\"ip\":\"127.0.0.1/32\""));
            assertThat(lockouts).anyMatch(l -> l.contains("\"scope\":\"account_network\"")
                    && l.contains("\"account\":\"alice@example.org\"") && l.contains("\"ip\":\"127.0.0.0/24\""));
            assertThat(lockouts).anyMatch(l -> l.contains("\"scope\":\"account_network\"")
                    && l.contains("\"account\":\"bob@example.org\""));

            // the locked address gets 454 even with the right password: no oracle while locked
            assertThat(login(port, "127.0.0.1", "alice@example.org", TestServer.ALICE_PASSWORD)).isEqualTo(454);
            assertThat(login(port, "127.0.0.9", "bob@example.org", TestServer.BOB_PASSWORD)).isEqualTo(454);
            // a clean address in another network still gets in, and so does the known-good one
            assertThat(login(port, "127.1.0.1", "alice@example.org", TestServer.ALICE_PASSWORD)).isEqualTo(235);
            assertThat(login(port, "127.1.0.1", "bob@example.org", TestServer.BOB_PASSWORD)).isEqualTo(235);
            assertThat(login(port, "127.0.0.251", "alice@example.org", TestServer.ALICE_PASSWORD)).isEqualTo(235);
        }
    }

    private Void attack(int port, String from, String user, int guesses, Semaphore parallel) throws Exception {
        parallel.acquire();
        try (SmtpClient c = submission(port, from)) {
            for (int i = 0; i < guesses; i++) {
                int code = auth(c, user, "wrong-" + from + "-" + i);
                (code == 535 ? failed : code == 454 ? locked : other).incrementAndGet();
            }
            c.cmd("QUIT");
        } finally {
            parallel.release();
        }
        return null;
    }

    private static int login(int port, String from, String user, String password) throws Exception {
        try (SmtpClient c = submission(port, from)) {
            return auth(c, user, password);
        }
    }

    private static SmtpClient submission(int port, String from) throws Exception {
        SmtpClient c = new SmtpClient("127.0.0.1", port, from);
        c.reply();
        c.cmd("EHLO attacker.example");
        assertThat(c.cmd("STARTTLS")).startsWith("220 ");
        c.startTls();
        c.cmd("EHLO attacker.example");
        return c;
    }

    private static int auth(SmtpClient c, String user, String password) throws Exception {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        String reply = c.cmd("AUTH PLAIN " + token);
        return Integer.parseInt(reply.substring(0, 3));
    }
}
