package moat.server.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import moat.core.EmailAddress;
import moat.server.testing.TestServer;
import moat.store.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mbsync (Debian package isync) syncs a Moat mailbox to a local Maildir and back, over IMAPS. */
class ImapMbsyncTest {
    @TempDir
    Path tmp;

    @Test
    void mbsyncSyncsBothWays() throws Exception {
        try (TestServer server = TestServer.start(tmp.resolve("srv"))) {
            Mailboxes mb = server.store().mailboxes();
            EmailAddress alice = EmailAddress.of("alice@example.org");
            long inbox = mb.find(alice, "INBOX").orElseThrow().id();
            mb.append(inbox, "Subject: server one\r\n\r\n1\r\n".getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.now());
            mb.append(inbox, "Subject: server two\r\n\r\n2\r\n".getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.now());
            Path mail = Files.createDirectories(tmp.resolve("mail"));
            Path cfg = Files.writeString(tmp.resolve("mbsyncrc"), """
                    IMAPAccount moat
                    Host 127.0.0.1
                    Port %d
                    User alice@example.org
                    Pass %s
                    SSLType IMAPS
                    SystemCertificates no
                    CertificateFile %s
                    AuthMechs PLAIN

                    IMAPStore far
                    Account moat

                    MaildirStore near
                    Path %s/
                    Inbox %s/INBOX
                    SubFolders Verbatim

                    Channel c
                    Far :far:
                    Near :near:
                    Patterns INBOX Archive
                    Create Both
                    Expunge Both
                    Sync All
                    SyncState *
                    """.formatted(server.imapPort(true), TestServer.ALICE_PASSWORD, server.certificate(), mail, mail));
            List<String> cmd = List.of("mbsync", "-c", cfg.toString(), "-a");
            ImapInteropTest.Run first = ImapInteropTest.run(tmp, cmd, "isync");
            assertThat(first.exit()).as(first.output()).isZero();
            assertThat(files(mail.resolve("INBOX"))).as(first.output()).hasSize(2);

            // Local changes: a new message, and one server message read locally (Maildir flag S).
            Files.writeString(mail.resolve("INBOX/new/1700000000.local.host"), "Subject: from maildir\r\n\r\nlocal\r\n");
            Path one = files(mail.resolve("INBOX")).stream().filter(p -> read(p).contains("server one")).findFirst().orElseThrow();
            Path seen = one.resolveSibling(one.getFileName().toString().replaceAll(":2,.*$", "") + ":2,S");
            Files.move(one, one.getParent().getParent().resolve("cur").resolve(seen.getFileName()));
            ImapInteropTest.Run second = ImapInteropTest.run(tmp, cmd, "isync");
            assertThat(second.exit()).as(second.output()).isZero();

            var messages = mb.snapshot(inbox).orElseThrow().messages();
            assertThat(messages).as(second.output()).hasSize(3);
            assertThat(messages.getFirst().flags()).contains("\\Seen");
            assertThat(new String(mb.open(inbox, messages.get(2).uid()).readAllBytes(), StandardCharsets.US_ASCII))
                    .contains("from maildir");
            assertThat(mb.find(alice, "Archive")).isPresent();
        }
    }

    private static List<Path> files(Path maildir) throws Exception {
        try (Stream<Path> s = Stream.concat(Files.list(maildir.resolve("cur")), Files.list(maildir.resolve("new")))) {
            return s.toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
