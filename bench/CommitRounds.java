// Starts a Moat on loopback (port from argv[0], data in argv[1]), with domain bench.example and
// user bench@bench.example, prints "ready", and on each line read from stdin prints the store's
// group-commit rounds so far (SqliteStore.commitRounds()). EOF on stdin stops it.
// Run with the server's classpath, e.g.:
//   java -cp server/target/moat-server-0.1.0-SNAPSHOT.jar:server/target/lib/'*' bench/CommitRounds.java 42725 /tmp/x
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Clock;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.server.MoatServer;
import moat.server.config.Config;
import moat.server.config.Settings;

public class CommitRounds {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String toml = "server.hostname = \"mx.bench.example\"\nserver.data_dir = \"" + args[1] + "\"\n"
                + "listener.bind_address = [\"127.0.0.1\"]\nlistener.smtp_port = " + port + "\n"
                + "listener.submission_port = \"off\"\nlistener.submissions_port = \"off\"\n";
        try (MoatServer server = MoatServer.start(Config.parse(toml, "probe", Settings.ALL), Clock.systemUTC(), m -> { })) {
            if (!server.store().isLocalDomain(Domain.of("bench.example"))) {
                server.store().addDomain(Domain.of("bench.example"));
                server.store().addUser(EmailAddress.of("bench@bench.example"), "bench-password-123456".toCharArray());
            }
            System.out.println("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            // Group-commit rounds are a property of the embedded store, not of the Store interface.
            var store = (moat.store.sqlite.SqliteStore) server.store();
            while (in.readLine() != null) System.out.println("rounds " + store.commitRounds());
        }
    }
}
