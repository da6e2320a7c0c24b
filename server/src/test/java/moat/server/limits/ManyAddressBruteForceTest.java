package moat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 wrong passwords over IMAP LOGIN and POP3 PASS, from one address and from 249 addresses
 * of one /24 (Linux routes all of 127/8 to lo), end in lockouts; the real user still gets in from
 * a clean network. The SMTP AUTH half of the requirement is {@link BruteForceTest}.
 */
class ManyAddressBruteForceTest {
    @TempDir
    Path tmp;

    private final AtomicInteger checkedAndWrong = new AtomicInteger(); // the password was checked: wrong
    private final AtomicInteger refusedUnchecked = new AtomicInteger(); // locked: not checked at all
    private final AtomicInteger other = new AtomicInteger();

    private static SSLSocket tls(int port, String from) throws Exception {
        return TestServer.clientTlsFrom(from, port);
    }

    /** {@code n} IMAP LOGIN attempts on one connection. */
    private void imap(int port, String from, String user, int n) {
        try (SSLSocket s = tls(port, from)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            in.readLine();
            for (int i = 0; i < n; i++) {
                out.write(("a" + i + " LOGIN \"" + user + "\" \"wrong-" + i + "\"\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                String line;
                while ((line = in.readLine()) != null && !line.startsWith("a" + i + " ")) { }
                count(line, line != null && line.contains("[UNAVAILABLE]"), line != null && line.contains("[AUTHENTICATIONFAILED]"));
                if (line == null) return;
            }
        } catch (Exception e) {
            other.incrementAndGet();
            unexpected.add(e.toString());
        }
    }

    /** {@code n} POP3 USER/PASS attempts on one connection (the server closes after its per-connection limit). */
    private void pop3(int port, String from, String user, int n) {
        try (SSLSocket s = tls(port, from)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            in.readLine();
            for (int i = 0; i < n; i++) {
                out.write(("USER " + user + "\r\nPASS wrong-" + i + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                in.readLine();
                String line = in.readLine();
                count(line, line != null && line.contains("Too many failed logins; try again later"),
                        line != null && line.equals("-ERR [AUTH] Authentication failed"));
                if (line == null) return;
            }
        } catch (Exception e) {
            other.incrementAndGet();
            unexpected.add(e.toString());
        }
    }

    private final java.util.Queue<String> unexpected = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private void count(String line, boolean locked, boolean wrong) {
        if (locked) refusedUnchecked.incrementAndGet();
        else if (wrong) checkedAndWrong.incrementAndGet();
        else {
            other.incrementAndGet();
            unexpected.add(String.valueOf(line));
        }
    }

    private static String imapLogin(int port, String from, String user, String password) throws Exception {
        try (SSLSocket s = tls(port, from)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            in.readLine();
            s.getOutputStream().write(("a LOGIN \"" + user + "\" \"" + password + "\"\r\n").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("a ")) { }
            return line;
        }
    }

    @Test
    @Timeout(120)
    void aThousandGuessesOverImapAndPop3EndInLockouts() throws Exception {
        try (TestServer s = TestServer.start(tmp, "limits.auth_backoff_base = \"1ms\"", "limits.auth_backoff_max = \"5ms\"",
                "limits.connection_rate = 100000", "limits.max_connections_per_ip = 1000", "imap.max_errors = 1000",
                "pop3.max_auth_failures = 100", "pop3.max_errors = 1000")) {
            int imaps = s.imapPort(true);
            int pop3s = s.pop3Port(true);
            Semaphore parallel = new Semaphore(16);
            List<Future<?>> work = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                // 500 from one address: 250 over IMAP, 250 over POP3, at alice
                for (int i = 0; i < 5; i++) {
                    work.add(pool.submit(() -> bounded(parallel, () -> imap(imaps, "127.0.5.1", "alice@example.org", 50))));
                    work.add(pool.submit(() -> bounded(parallel, () -> pop3(pop3s, "127.0.5.1", "alice@example.org", 50))));
                }
                // 500 from 250 addresses of 127.0.6.0/24 at bob, one IMAP and one POP3 guess each
                for (int host = 1; host <= 250; host++) {
                    String from = "127.0.6." + host;
                    work.add(pool.submit(() -> bounded(parallel, () -> imap(imaps, from, "bob@example.org", 1))));
                    work.add(pool.submit(() -> bounded(parallel, () -> pop3(pop3s, from, "bob@example.org", 1))));
                }
                for (Future<?> f : work) f.get();
            }
            int total = checkedAndWrong.get() + refusedUnchecked.get();
            System.out.printf("BRUTE-FORCE imap+pop3 attempts=%d checked=%d refused_unchecked=%d other=%d%n",
                    total, checkedAndWrong.get(), refusedUnchecked.get(), other.get());
            assertThat(other.get()).as("every attempt got a clear answer: %s", unexpected).isZero();
            assertThat(total).isEqualTo(1000);
            // Two lockouts stop the rest: the one client (all accounts) and bob from the /24.
            assertThat(checkedAndWrong.get()).as("passwords actually checked").isLessThanOrEqualTo(40);
            assertThat(refusedUnchecked.get()).isGreaterThanOrEqualTo(960);
            String audit = String.join("\n", s.auditLines());
            assertThat(audit).contains("\"event\":\"auth.lockout\"").contains("127.0.5.1").contains("127.0.6.0");
            // The right password from a locked address is refused; from a clean network it works.
            assertThat(imapLogin(imaps, "127.0.6.7", "bob@example.org", TestServer.BOB_PASSWORD)).contains("NO");
            assertThat(imapLogin(imaps, "127.2.0.1", "bob@example.org", TestServer.BOB_PASSWORD)).startsWith("a OK");
            assertThat(imapLogin(imaps, "127.2.0.2", "alice@example.org", TestServer.ALICE_PASSWORD)).startsWith("a OK");
        }
    }

    private static void bounded(Semaphore parallel, Runnable r) {
        try {
            parallel.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            r.run();
        } finally {
            parallel.release();
        }
    }
}
