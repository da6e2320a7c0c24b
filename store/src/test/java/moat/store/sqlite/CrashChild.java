package moat.store.sqlite;

import static moat.store.sqlite.StoreFixture.addr;
import static moat.store.sqlite.StoreFixture.deliver;
import static moat.store.sqlite.StoreFixture.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM by {@link CrashRecoveryTest}: commits messages from several virtual threads
 * forever and prints {@code OK <queue id> <body>} after each commit returns, i.e. at the moment
 * an SMTP session would answer "250". The parent kills it with SIGKILL at a random point.
 */
public final class CrashChild {
    public static void main(String[] args) throws Exception {
        SqliteStore store = StoreFixture.open(Path.of(args[0]));
        int threads = Integer.parseInt(args[1]);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            all.add(Thread.ofVirtual().start(() -> {
                for (long i = 0; ; i++) {
                    String body = "body-" + thread + "-" + i + "\r\n".repeat(thread % 5);
                    try {
                        String id = deliver(store, body, local(addr("crash@example.org")));
                        System.out.println("OK " + id + " " + body.strip());
                    } catch (Exception e) {
                        System.out.println("ERR " + e);
                    }
                }
            }));
        }
        System.out.println("READY");
        for (Thread t : all) t.join();
    }
}
