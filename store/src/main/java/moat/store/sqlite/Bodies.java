package moat.store.sqlite;

import static moat.store.sqlite.Sql.count;
import static moat.store.sqlite.Sql.update;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Body files and the only writer of their {@code bodies} rows: the order that makes a body
 * durable, the row that makes it real, and the freeing of a body no row refers to any more.
 *
 * <p>The order (the "250" promise, and APPEND's): the file is fsync'd, then its
 * {@code messages/xx} directory so the new name survives power loss, and only then is the row
 * committed. A row therefore never points at a missing file; a file without a row is an orphan
 * of a crash, deleted by recovery at the next open. Freeing runs the other way round: the row
 * goes in the caller's transaction and the file only after COMMIT.
 */
final class Bodies {
    private static final Logger log = LoggerFactory.getLogger(Bodies.class);

    private Bodies() {}

    /** Commits the index rows that make a body real; called once the body is on stable storage. */
    @FunctionalInterface
    interface RowCommit<T> {
        T commit() throws IOException;
    }

    /**
     * The one durability routine, for SMTP delivery (whose {@code rows} wait for the group
     * commit) and for APPEND (one transaction of its own): flush the draft, fsync the file and
     * its directory, then commit the rows. When it returns the draft is COMMITTED; when it throws
     * the draft is OPEN again and the caller discards it.
     */
    static <T> T commit(SqliteDraft draft, RowCommit<T> rows) throws IOException {
        draft.prepareCommit();
        T result;
        try {
            // On the session's own thread, in parallel across sessions, not one file after
            // another in the committer (measured: serial fsyncs made the committer the
            // bottleneck at 10-50 sessions).
            draft.force();
            DataDir.fsyncDir(draft.path.getParent());
            result = rows.commit();
        } catch (IOException | RuntimeException e) {
            draft.failed();
            throw e;
        }
        draft.committed();
        return result;
    }

    /** The row of a durable body; {@code prefix} (docs/adr/0020) is stored as NULL when empty. */
    static void insert(Connection c, SqliteDraft draft, long size, long created) throws SQLException {
        byte[] prefix = draft.prefix();
        update(c, "INSERT INTO bodies(id, path, size, created, prefix) VALUES (?, ?, ?, ?, ?)",
                draft.id, draft.relativePath, size, created, prefix.length == 0 ? null : prefix);
    }

    /**
     * Deletes, in the caller's transaction, the rows of those {@code bodyIds} that no message and
     * no outbound row refers to any more, and returns their paths for {@link #deleteFiles} after
     * COMMIT.
     */
    static List<String> dropUnreferenced(Connection c, Collection<String> bodyIds) throws SQLException {
        List<String> paths = new ArrayList<>();
        for (String id : bodyIds) {
            if (count(c, "SELECT count(*) FROM messages WHERE body_id = ?", id) > 0
                    || count(c, "SELECT count(*) FROM outbound WHERE body_id = ?", id) > 0) continue;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM bodies WHERE id = ? RETURNING path")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) paths.add(rs.getString(1));
                }
            }
        }
        return paths;
    }

    /**
     * After COMMIT only: the rows are gone, so a file that cannot be deleted now is an orphan
     * that recovery deletes at the next open; the change it belongs to has happened and is not
     * reported as failed.
     */
    static void deleteFiles(Path messages, List<String> paths) {
        for (String rel : paths) {
            try {
                Files.deleteIfExists(messages.resolve(rel));
            } catch (IOException e) {
                log.warn("could not delete freed body {}: {} (recovery will)", rel, e.toString());
            }
        }
    }
}
