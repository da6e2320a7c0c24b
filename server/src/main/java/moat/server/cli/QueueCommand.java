package moat.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import moat.server.config.ServerSettings;
import moat.store.OutboundQueue;
import moat.store.OutboundQueue.Entry;
import moat.store.sqlite.SqliteOutboundQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code moat queue list|show|hold|release|delete|retry}: the outbound queue. Works while the
 * server runs (the index is shared through SQLite's locking, as for {@code moat user}); a running
 * server picks a released or retried message up at its next scan ({@code delivery.scan_interval}).
 * A row being sent right now is not deleted nor held: try again when its attempt is over.
 */
@Command(name = "queue", description = "Inspect and manage the outbound queue.", mixinStandardHelpOptions = true)
final class QueueCommand {
    @ParentCommand
    MoatCommand moat;

    @FunctionalInterface
    private interface Action {
        int run(OutboundQueue q) throws IOException;
    }

    private int withQueue(Action a) throws Exception {
        try (SqliteOutboundQueue q = SqliteOutboundQueue.openAdmin(moat.config().path(ServerSettings.DATA_DIR))) {
            return a.run(q);
        }
    }

    @Command(name = "list", description = "One line per queued recipient: id, state, attempts, next attempt, sender, recipient, last reply.")
    int list() throws Exception {
        return withQueue(q -> {
            List<Entry> all = q.list();
            for (Entry e : all) {
                moat.out().printf("%s %-7s %2d %s <%s> -> <%s>%s%n", e.queueId(), e.state().column(), e.attempts(),
                        e.nextAttempt(), e.sender().map(Object::toString).orElse(""), e.recipient(),
                        e.lastReply().isEmpty() ? "" : "  [" + e.lastReply() + "]");
            }
            moat.out().println(all.size() + " recipient(s) queued");
            return 0;
        });
    }

    @Command(name = "show", description = "Every recipient of message ID and its header section.")
    int show(@Parameters(paramLabel = "ID") String id) throws Exception {
        return withQueue(q -> {
            List<Entry> rows = rows(q, id);
            if (rows.isEmpty()) return fail("no queued message " + id);
            Entry first = rows.getFirst();
            moat.out().println("queue id:  " + id);
            moat.out().println("queued:    " + first.queued());
            moat.out().println("sender:    <" + first.sender().map(Object::toString).orElse("") + ">");
            moat.out().println("submitter: " + first.authUser().map(Object::toString)
                    .orElse("(none: received on port 25, never bounced)"));
            for (Entry e : rows) {
                moat.out().println("recipient: <" + e.recipient() + "> " + e.state().column() + ", " + e.attempts()
                        + " attempt(s), next " + e.nextAttempt() + (e.lastReply().isEmpty() ? "" : ", last: " + e.lastReply()));
            }
            moat.out().println();
            try (InputStream in = q.openBody(first.bodyId())) {
                moat.out().print(headers(in));
            }
            return 0;
        });
    }

    @Command(name = "hold", description = "Stop delivering message ID until released.")
    int hold(@Parameters(paramLabel = "ID") String id) throws Exception {
        return withQueue(q -> report(q.hold(id), id, "held"));
    }

    @Command(name = "release", description = "Deliver held message ID again, now.")
    int release(@Parameters(paramLabel = "ID") String id) throws Exception {
        return withQueue(q -> report(q.release(id, Instant.now()), id, "released"));
    }

    @Command(name = "retry", description = "Try message ID at the next scan instead of waiting for its back-off.")
    int retry(@Parameters(paramLabel = "ID") String id) throws Exception {
        return withQueue(q -> report(q.retryNow(id, Instant.now()), id, "due now"));
    }

    @Command(name = "delete", description = "Remove message ID from the queue without a bounce.")
    int delete(@Parameters(paramLabel = "ID") String id) throws Exception {
        return withQueue(q -> report(q.delete(id), id, "deleted"));
    }

    private int report(int rows, String id, String what) {
        if (rows == 0) return fail("no recipient of " + id + " could be " + what
                + " (unknown id, or in a state that does not allow it; see: moat queue show " + id + ")");
        moat.out().println(id + ": " + rows + " recipient(s) " + what);
        return 0;
    }

    private static List<Entry> rows(OutboundQueue q, String id) throws IOException {
        return q.list().stream().filter(e -> e.queueId().equals(id)).toList();
    }

    /** The header section, bounded: enough to recognise the message. */
    private static String headers(InputStream in) throws IOException {
        byte[] head = in.readNBytes(16 * 1024);
        String s = new String(head, StandardCharsets.UTF_8);
        int end = s.indexOf("\r\n\r\n");
        return (end < 0 ? s : s.substring(0, end + 2)).replace("\r\n", "\n");
    }

    private int fail(String message) {
        moat.err().println("moat: " + message);
        return 1;
    }
}
