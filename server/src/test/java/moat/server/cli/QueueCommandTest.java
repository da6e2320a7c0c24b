package moat.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.store.MailStore;
import moat.store.OutboundQueue;
import moat.store.sqlite.SqliteStore;
import moat.store.sqlite.StoreSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code moat queue ...} against a real data directory while a store (the "server") holds it open. */
class QueueCommandTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    Result run(String... args) throws Exception {
        Path toml = dir.resolve("moat.toml");
        Files.writeString(toml, "server.data_dir = \"" + dir.resolve("data") + "\"\n");
        CommandLine cli = MoatCommand.commandLine(config -> {
            throw new AssertionError("queue commands do not open the directory");
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = toml.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return new Result(cli.execute(all), out.toString(), err.toString());
    }

    @Test
    void listsShowsHoldsReleasesRetriesAndDeletesWhileTheServerHoldsTheStore() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir.resolve("data"), StoreSettings.defaults())) {
            MailStore.Draft d = store.begin();
            d.out().write("Subject: queued one\r\nFrom: alice@example.org\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8));
            d.out().close();
            String id = store.commit(d, new MailStore.Delivery(Optional.of(EmailAddress.of("alice@example.org")), List.of(),
                    List.of(EmailAddress.of("bob@remote.example")), Instant.now(), Optional.of(EmailAddress.of("alice@example.org"))));

            Result list = run("queue", "list");
            assertThat(list.exit()).isZero();
            assertThat(list.out()).contains(id).contains("queued").contains("<alice@example.org> -> <bob@remote.example>")
                    .contains("1 recipient(s) queued");
            Result show = run("queue", "show", id);
            assertThat(show.out()).contains("submitter: alice@example.org").contains("Subject: queued one")
                    .doesNotContain("body");

            assertThat(run("queue", "hold", id).out()).contains("1 recipient(s) held");
            OutboundQueue q = store.outboundQueue();
            assertThat(q.list().getFirst().state()).isEqualTo(OutboundQueue.State.HELD);
            assertThat(run("queue", "hold", id).exit()).isEqualTo(1);
            assertThat(run("queue", "release", id).exit()).isZero();
            assertThat(q.list().getFirst().state()).isEqualTo(OutboundQueue.State.QUEUED);
            assertThat(run("queue", "retry", id).out()).contains("due now");
            assertThat(run("queue", "show", "nosuchid").err()).contains("no queued message nosuchid");
            assertThat(run("queue", "delete", id).out()).contains("1 recipient(s) deleted");
            assertThat(q.list()).isEmpty();
            assertThat(run("queue", "list").out()).contains("0 recipient(s) queued");
        }
    }
}
