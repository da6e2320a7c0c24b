package moat.delivery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A small state file of the data directory replaced whole: written to a temporary file, fsync'd,
 * renamed over the old one, directory fsync'd, so a crash leaves the old or the new content,
 * never half of one. Read back with a size limit. For the MTA-STS cache and the TLS-RPT counts.
 */
final class StateFile {
    private StateFile() {}

    static void write(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.createDirectories(dir);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself must survive a power loss
        }
    }

    /** The content, or empty when there is no file; a file over {@code max} bytes is an error. */
    static Optional<byte[]> read(Path file, long max) throws IOException {
        if (!Files.exists(file)) return Optional.empty();
        if (Files.size(file) > max) throw new IOException(file + " is larger than " + max + " bytes");
        return Optional.of(Files.readAllBytes(file));
    }
}
