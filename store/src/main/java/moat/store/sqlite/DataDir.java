package moat.store.sqlite;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Predicate;
import moat.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory layout: {@code index.db}, {@code messages/00..ff/<id>}, and
 * {@code store.lock}. The 256 buckets are created and fsync'd at open so a commit never creates
 * a directory (whose own entry would need one more fsync of the parent).
 */
final class DataDir implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataDir.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    final Path root;
    final Path messages;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDir(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.messages = root.resolve("messages");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the layout (owner-only permissions: mail is private) and takes an exclusive lock:
     * two processes on one data directory would delete each other's drafts as orphans.
     */
    static DataDir open(Path root) throws IOException {
        createDir(root);
        FileChannel ch = FileChannel.open(root.resolve("store.lock"), Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE), fileAttributes());
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new StoreException("data directory " + root + " is in use by another store");
        }
        DataDir d = new DataDir(root, ch, lock);
        try {
            createDir(d.messages);
            for (int i = 0; i < 256; i++) createDir(d.messages.resolve(String.format("%02x", i)));
            fsyncDir(d.messages);
            fsyncDir(root);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    Path bodyPath(String relativePath) {
        return messages.resolve(relativePath);
    }

    /** {@code xx/<id>}: the form stored in {@code bodies.path}. */
    static String relativePath(String id) {
        return MessageIds.bucket(id) + "/" + id;
    }

    /**
     * Deletes every body file the index does not know ({@code known} answers for a relative
     * path): a crash between writing a body and committing its row, before any "250".
     */
    int deleteOrphans(Predicate<String> known) throws IOException {
        int deleted = 0;
        for (int i = 0; i < 256; i++) {
            String bucket = String.format("%02x", i);
            Path dir = messages.resolve(bucket);
            boolean changed = false;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    String rel = bucket + "/" + f.getFileName();
                    if (!Files.isRegularFile(f) || known.test(rel)) continue;
                    Files.deleteIfExists(f);
                    changed = true;
                    deleted++;
                }
            }
            if (changed) fsyncDir(dir);
        }
        if (deleted > 0) log.info("recovery: deleted {} orphan body file(s) without an index row", deleted);
        return deleted;
    }

    static FileAttribute<?>[] fileAttributes() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private static void createDir(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        if (POSIX) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        else Files.createDirectories(dir);
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        Connections.quietClose(lockChannel);
    }
}
