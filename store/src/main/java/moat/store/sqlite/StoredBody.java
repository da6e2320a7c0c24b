package moat.store.sqlite;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A stored message as its readers see it: the {@code bodies.prefix} octets (trace and
 * authentication header fields written at end of DATA, NULL when there are none) followed by the
 * body file. docs/adr/0020-trace-prefix-in-the-index-row.md.
 */
record StoredBody(String path, byte[] prefix) {

    /** From a row whose first two columns are {@code path, prefix}. */
    static StoredBody of(ResultSet rs) throws SQLException {
        byte[] p = rs.getBytes(2);
        return new StoredBody(rs.getString(1), p == null ? new byte[0] : p);
    }

    static Optional<StoredBody> byId(Connection c, String bodyId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT path, prefix FROM bodies WHERE id = ?")) {
            ps.setString(1, bodyId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(of(rs)) : Optional.empty();
            }
        }
    }

    InputStream open(DataDir dir) throws IOException {
        return open(dir.bodyPath(path), prefix);
    }

    static InputStream open(Path file, byte[] prefix) throws IOException {
        InputStream in = Files.newInputStream(file);
        return prefix.length == 0 ? in : new SequenceInputStream(new ByteArrayInputStream(prefix), in);
    }
}
