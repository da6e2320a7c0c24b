package moat.server.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import moat.server.audit.AuditFiles;
import moat.server.audit.AuditKey;
import moat.server.audit.ChainVerifier;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code moat log key|verify}: the audit log's signing key and the check of its hash chain and
 * signed checkpoints (docs/adr/0027). Verify exits 0 only when every line and signature holds.
 */
@Command(name = "log", description = "The tamper-evident audit log: its public key, and verification.",
        mixinStandardHelpOptions = true)
final class LogCommand {
    @ParentCommand
    MoatCommand moat;

    @Command(name = "key", description = "Print the public key that signs the audit log's checkpoints (keep a copy elsewhere).")
    int key() throws Exception {
        Path pub = moat.config().path(ServerSettings.DATA_DIR).resolve(AuditKey.PUBLIC_FILE);
        if (!Files.exists(pub)) {
            moat.err().println("moat: no audit key in " + pub.getParent() + " (it is created when the server first starts)");
            return 1;
        }
        PublicKey k = AuditKey.readPublic(pub);
        moat.out().print(AuditKey.publicPem(k));
        moat.out().println("# key id " + AuditKey.id(k) + "; verify with: moat log verify --key FILE");
        return 0;
    }

    @Command(name = "verify", description = "Check the audit log's hash chain and checkpoint signatures across the"
            + " files given, oldest first (.gz too; default: log.audit_file's rotated files and itself); report the first"
            + " line where it breaks.")
    int verify(@Option(names = "--key", paramLabel = "FILE",
                       description = "Public key (PEM, from moat log key) kept elsewhere; default: the data dir's") Path keyFile,
               @Parameters(paramLabel = "FILE", arity = "0..*") List<Path> files) throws Exception {
        Config c = moat.config();
        Path pub = keyFile != null ? keyFile : c.path(ServerSettings.DATA_DIR).resolve(AuditKey.PUBLIC_FILE);
        if (!Files.exists(pub)) {
            moat.err().println("moat: no public key " + pub + " (give one with --key FILE)");
            return 1;
        }
        List<Path> logs = files == null || files.isEmpty() ? AuditFiles.inOrder(c.path(ServerSettings.AUDIT_FILE)) : files;
        if (logs.isEmpty()) {
            moat.err().println("moat: no audit log at " + c.path(ServerSettings.AUDIT_FILE));
            return 1;
        }
        for (Path f : logs) {
            if (!Files.isRegularFile(f)) {
                moat.err().println("moat: no such file " + f);
                return 1;
            }
        }
        ChainVerifier.Report r = new ChainVerifier(AuditKey.readPublic(pub)).verify(logs);
        if (r.broken().isPresent()) {
            moat.out().println("BROKEN " + r.broken().get());
            moat.out().println("(" + r.lines() + " lines before it hold, seq " + r.firstSeq() + ".." + r.lastSeq()
                    + ", " + r.checkpoints() + " checkpoints)");
            return 1;
        }
        moat.out().println("ok: " + r.lines() + " lines, seq " + r.firstSeq() + ".." + r.lastSeq() + ", "
                + r.checkpoints() + " signed checkpoints (key " + AuditKey.id(AuditKey.readPublic(pub)) + ")");
        if (r.unsigned() > 0)
            moat.out().println(r.unsigned() + " lines after the last checkpoint are unsigned: a tail cut after it is"
                    + " only detectable against the copy the remote log server received");
        else
            moat.out().println("0 lines after the last checkpoint: a tail cut off after it is only detectable against"
                    + " the copy the remote log server received");
        return 0;
    }
}
