package moat.store.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.Mailboxes;
import moat.store.Mailboxes.FlagMode;
import moat.store.Mailboxes.Outcome;
import org.junit.jupiter.api.Test;

/**
 * {@link Mailboxes}, the IMAP view: special-use folders, UIDs that are never reused, modseq,
 * flags, COPY/MOVE/EXPUNGE, the UID map and row scan, change notification after commit, the
 * summary cache per body, and UIDVALIDITY that changes whenever a name is reused.
 */
public abstract class MailboxesContract extends StoreContract {
    protected static final EmailAddress ALICE = addr("alice@example.org");

    /** A store with example.org and Alice (who has the default mailboxes). */
    protected OpenStore openWithAlice() throws IOException {
        return openWithAlice(Clock.systemUTC());
    }

    protected OpenStore openWithAlice(Clock clock) throws IOException {
        OpenStore s = open(clock);
        s.directory().addDomain(Domain.of("example.org"));
        s.directory().addUser(ALICE, "pw-alice-123".toCharArray());
        return s;
    }

    @Test
    public void newUsersHaveTheSpecialUseMailboxes() throws Exception {
        try (OpenStore s = openWithAlice()) {
            assertThat(s.mailboxes().list(ALICE)).extracting(Mailboxes.Mailbox::name)
                    .containsExactly("Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash");
            assertThat(s.mailboxes().find(ALICE, "sent")).isEmpty();
            assertThat(s.mailboxes().find(ALICE, "inbox")).isPresent();
            assertThat(s.mailboxes().find(ALICE, "Sent").orElseThrow().specialUse()).contains("\\Sent");
        }
    }

    @Test
    public void smtpDeliveryFiresTheNotifierAfterCommitAndGetsTheNextUid() throws Exception {
        try (OpenStore s = openWithAlice()) {
            long inbox = s.mailboxes().find(ALICE, "INBOX").orElseThrow().id();
            CountDownLatch fired = new CountDownLatch(1);
            long[] seenUids = {0};
            try (Mailboxes.Watch w = s.mailboxes().watch(inbox, () -> {
                seenUids[0] = s.mailboxes().snapshot(inbox).orElseThrow().messages().size();
                fired.countDown();
            })) {
                deliver(s.mail(), "Subject: hi\r\n\r\nbody\r\n", local(ALICE));
                assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(seenUids[0]).as("the change is readable when the listener runs").isEqualTo(1);
            }
            var a = s.mailboxes().append(inbox, "Subject: two\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII),
                    Set.of("\\Seen"), Instant.parse("2026-02-03T04:05:06Z"));
            assertThat(a.uid()).isEqualTo(2);
            assertThat(new String(s.mailboxes().open(inbox, 2).readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("Subject: two\r\n\r\nx\r\n");
            assertThat(s.mail().messages(ALICE, "INBOX")).hasSize(2);
        }
    }

    @Test
    public void flagsModseqExpungeAndCopyKeepUidsStable() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            long archive = m.find(ALICE, "Archive").orElseThrow().id();
            for (int i = 0; i < 3; i++)
                m.append(inbox, ("Subject: " + i + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.now());
            long before = m.highestModseq(inbox).orElseThrow();
            var changed = m.store(inbox, Set.of(1L, 2L), FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
            assertThat(changed).extracting(Mailboxes.Message::modseq).containsOnly(before + 1);
            assertThat(m.store(inbox, Set.of(1L), FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty())).isEmpty();
            assertThat(m.store(inbox, Set.of(3L), FlagMode.ADD, Set.of("x"), OptionalLong.of(0))).isEmpty();
            var copy = m.copy(inbox, Set.of(2L, 3L), archive, false);
            assertThat(copy.sourceUids()).containsExactly(2L, 3L);
            assertThat(copy.destinationUids()).containsExactly(1L, 2L);
            assertThat(m.expunge(inbox, Optional.of(Set.of(2L)))).containsExactly(2L);
            assertThat(m.expunge(inbox, Optional.empty())).containsExactly(1L);
            assertThat(m.snapshot(inbox).orElseThrow().messages()).extracting(Mailboxes.Message::uid).containsExactly(3L);
            var moved = m.copy(inbox, Set.of(3L), archive, true);
            assertThat(moved.destinationUids()).containsExactly(3L);
            assertThat(m.snapshot(inbox).orElseThrow().messages()).isEmpty();
            assertThat(m.append(inbox, "x".getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.now()).uid())
                    .as("UIDs are never reused").isEqualTo(4);
        }
    }

    @Test
    public void uidMapIsARangeWithoutGapsAndTheRowsWithGaps() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            assertThat(m.uidMap(inbox).orElseThrow().uids()).isEmpty();
            for (int i = 0; i < 6; i++)
                m.append(inbox, bytes("Subject: " + i + "\r\n\r\n"), i % 2 == 0 ? Set.of("\\Seen") : Set.of(),
                        Instant.ofEpochMilli(1000L * i));
            var map = m.uidMap(inbox).orElseThrow();
            assertThat(map.uids()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(map.mailbox().messages()).isEqualTo(6);
            assertThat(map.mailbox().uidNext()).isEqualTo(7);
            // a gap in the middle, and the first message gone: the range test must not be fooled
            m.store(inbox, Set.of(1L, 3L), FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
            m.expunge(inbox, Optional.empty());
            map = m.uidMap(inbox).orElseThrow();
            assertThat(map.uids()).containsExactly(2, 4, 5, 6);
            assertThat(map.mailbox().highestModseq()).isEqualTo(m.highestModseq(inbox).orElseThrow());
            m.store(inbox, Set.of(2L), FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
            m.expunge(inbox, Optional.empty());
            assertThat(m.uidMap(inbox).orElseThrow().uids()).as("contiguous again, not starting at 1").containsExactly(4, 5, 6);
            List<String> rows = new java.util.ArrayList<>();
            var mb = m.scan(inbox, (uid, flags, modseq, size, date) -> rows.add(uid + "|" + flags + "|" + date));
            assertThat(mb.orElseThrow().messages()).isEqualTo(3);
            assertThat(rows).containsExactly("4||3000", "5|\\Seen|4000", "6||5000");
            assertThat(m.uidMap(999_999)).isEmpty();
            assertThat(m.scan(999_999, (uid, flags, modseq, size, date) -> rows.add("x"))).isEmpty();
        }
    }

    @Test
    public void aFlagScanAnswersFromTheLastScanOnlyWhileTheMailboxIsUnchanged() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            for (int i = 1; i <= 3; i++)
                m.append(inbox, ("Subject: " + i + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII), Set.of(),
                        Instant.ofEpochMilli(1000L * i));
            java.util.function.Supplier<List<String>> flagScan = () -> {
                List<String> rows = new java.util.ArrayList<>();
                m.scan(inbox, false, (uid, flags, modseq, size, date) -> rows.add(uid + "|" + flags + "|" + modseq));
                return rows;
            };
            assertThat(flagScan.get()).containsExactly("1||1", "2||2", "3||3");
            assertThat(flagScan.get()).as("unchanged: the same rows").containsExactly("1||1", "2||2", "3||3");
            m.store(inbox, Set.of(2L), FlagMode.ADD, Set.of("\\Seen"), OptionalLong.empty());
            assertThat(flagScan.get()).containsExactly("1||1", "2|\\Seen|4", "3||3");
            m.store(inbox, Set.of(3L), FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
            m.expunge(inbox, Optional.empty());
            assertThat(flagScan.get()).containsExactly("1||1", "2|\\Seen|4");
            m.append(inbox, "Subject: 4\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), Set.of("\\Flagged"),
                    Instant.ofEpochMilli(4000));
            assertThat(flagScan.get()).containsExactly("1||1", "2|\\Seen|4", "4|\\Flagged|7");
            // SMTP delivery (the group committer) and POP3 deletion (MailStore) change the key too
            deliver(s.mail(), "Subject: 5\r\n\r\nx\r\n", local(ALICE));
            assertThat(flagScan.get()).containsExactly("1||1", "2|\\Seen|4", "4|\\Flagged|7", "5||8");
            s.mail().expunge(ALICE, "INBOX", List.of(1L));
            assertThat(flagScan.get()).containsExactly("2|\\Seen|4", "4|\\Flagged|7", "5||8");
            // the full scan still reads size and date (never from the flag rows)
            List<String> full = new java.util.ArrayList<>();
            m.scan(inbox, (uid, flags, modseq, size, date) -> full.add(uid + "|" + date));
            assertThat(full).hasSize(3).startsWith("2|2000", "4|4000");
            // a mailbox deleted and created again (maybe under the same id, with the same
            // HIGHESTMODSEQ and count) is not answered from the old one's rows: its UIDVALIDITY differs
            List<String> seen = new java.util.ArrayList<>();
            for (Set<String> flags : List.of(Set.<String>of(), Set.of("\\Flagged"))) {
                assertThat(m.create(ALICE, "Tmp")).isInstanceOf(Outcome.Done.class);
                long tmp = m.find(ALICE, "Tmp").orElseThrow().id();
                m.append(tmp, "Subject: a\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), flags, Instant.ofEpochMilli(1));
                m.scan(tmp, false, (uid, f, modseq, size, date) -> seen.add(tmp + ":" + uid + "|" + f + "|" + modseq));
                assertThat(m.delete(ALICE, "Tmp")).isInstanceOf(Outcome.Done.class);
            }
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0)).endsWith(":1||1");
            assertThat(seen.get(1)).endsWith(":1|\\Flagged|1");
        }
    }

    @Test
    public void createRenameDeleteSubscribe() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            assertThat(m.create(ALICE, "Work")).isEqualTo(new Outcome.Done());
            assertThat(m.create(ALICE, "Work/2026")).isEqualTo(new Outcome.Done());
            assertThat(m.create(ALICE, "Work")).isEqualTo(new Outcome.AlreadyExists());
            assertThat(m.delete(ALICE, "Work")).isInstanceOf(Outcome.Refused.class);
            long v = m.find(ALICE, "Work/2026").orElseThrow().uidValidity();
            assertThat(m.rename(ALICE, "Work", "Job")).isEqualTo(new Outcome.Done());
            assertThat(m.find(ALICE, "Job/2026").orElseThrow().uidValidity()).isGreaterThan(v);
            assertThat(m.rename(ALICE, "Job", "Job/x")).isInstanceOf(Outcome.Refused.class);
            assertThat(m.delete(ALICE, "INBOX")).isInstanceOf(Outcome.Refused.class);
            assertThat(m.subscribe(ALICE, "Job", false)).isEqualTo(new Outcome.Done());
            assertThat(m.find(ALICE, "Job").orElseThrow().subscribed()).isFalse();
            assertThat(m.delete(ALICE, "Job/2026")).isEqualTo(new Outcome.Done());
            assertThat(m.delete(ALICE, "Job")).isEqualTo(new Outcome.Done());
            assertThat(m.delete(ALICE, "Job")).isEqualTo(new Outcome.NotFound());
            assertThat(m.list(ALICE)).hasSize(6);
        }
    }

    @Test
    public void aBodyFileGoesWithTheLastMessageThatUsesIt() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            long archive = m.find(ALICE, "Archive").orElseThrow().id();
            m.append(inbox, "Subject: shared\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.now());
            m.copy(inbox, Set.of(1L), archive, false);
            assertThat(s.bodies()).isEqualTo(1);
            m.store(inbox, Set.of(1L), FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
            m.expunge(inbox, Optional.empty());
            assertThat(s.bodies()).as("the copy in Archive still uses it").isEqualTo(1);
            assertThat(m.delete(ALICE, "Archive")).isEqualTo(new Outcome.Done());
            assertThat(s.bodies()).isZero();
        }
    }

    @Test
    public void summariesAreKeptPerBodyAndSharedByCopies() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            long archive = m.find(ALICE, "Archive").orElseThrow().id();
            for (int i = 0; i < 3; i++)
                m.append(inbox, ("Subject: " + i + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.now());
            assertThat(m.summaries(inbox, List.of(1L, 2L, 3L))).isEmpty();
            Mailboxes.Summary one = new Mailboxes.Summary(7, bytes("(env1)"), bytes("(body1)"), bytes("(bs1)"),
                    bytes("Subject: 1\r\n\r\n"), bytes("subject\u00001\u0000"));
            m.saveSummaries(inbox, java.util.Map.of(1L, one, 99L, one)); // 99: no such message, skipped
            var got = m.summaries(inbox, Set.of(1L, 2L, 3L));
            assertThat(got).containsOnlyKeys(1L);
            assertThat(got.get(1L).format()).isEqualTo(7);
            assertThat(new String(got.get(1L).bodyStructure(), StandardCharsets.US_ASCII)).isEqualTo("(bs1)");
            assertThat(m.summaries(inbox, List.of(2L, 3L))).as("only the UIDs asked for").isEmpty();

            m.copy(inbox, Set.of(1L), archive, false);
            assertThat(m.summaries(archive, List.of(1L))).as("the copy shares the body's summary").containsOnlyKeys(1L);
            m.saveSummaries(archive, java.util.Map.of(1L, new Mailboxes.Summary(8, bytes("e"), bytes("b"), bytes("s"),
                    bytes("h"), bytes("f"))));
            assertThat(m.summaries(inbox, List.of(1L)).get(1L).format()).as("replaced for both").isEqualTo(8);

            m.store(inbox, Set.of(1L), FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
            m.expunge(inbox, Optional.empty());
            assertThat(m.summaries(archive, List.of(1L))).as("kept while a copy uses the body").hasSize(1);
        }
    }

    @Test
    public void headerFieldsAreReadApartAndPreFilteredByTheStore() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            for (int i = 0; i < 3; i++)
                m.append(inbox, ("Subject: " + i + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Set.of(), Instant.now());
            m.saveSummaries(inbox, java.util.Map.of(
                    1L, new Mailboxes.Summary(2, bytes("e"), bytes("b"), bytes("s"), bytes("h"), bytes("subject\u0000apple pie\u0000")),
                    2L, new Mailboxes.Summary(2, bytes("e"), bytes("b"), bytes("s"), bytes("h"), bytes("subject\u0000cherry\u0000"))));
            var all = m.headerFields(inbox, List.of(1L, 2L, 3L), List.of());
            assertThat(all).as("3 has no summary").containsOnlyKeys(1L, 2L);
            assertThat(new String(all.get(2L).fields(), StandardCharsets.US_ASCII)).isEqualTo("subject\u0000cherry\u0000");
            assertThat(m.summaries(inbox, List.of(1L)).get(1L).fields()).as("not read with the summary").isEmpty();

            var pie = m.headerFields(inbox, Set.of(1L, 2L, 3L), List.of(bytes("pie")));
            assertThat(pie.get(1L).fields()).isNotEmpty();
            assertThat(pie.get(2L).fields()).as("holds no needle: emptied by the store").isEmpty();
            assertThat(pie.get(2L).format()).isEqualTo(2);
            var either = m.headerFields(inbox, Set.of(1L, 2L), List.of(bytes("nothing"), bytes("cherry")));
            assertThat(either.get(1L).fields()).isEmpty();
            assertThat(either.get(2L).fields()).isNotEmpty();
        }
    }

    @Test
    public void appendedMessagesAreSummarisedInTheBackgroundOnceASummarizerIsInstalled() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            m.append(inbox, bytes("Subject: before\r\n\r\n"), Set.of(), Instant.now());
            m.summarizeArrivals(msg -> new Mailboxes.Summary(9, bytes("env"), bytes("b"), bytes("s"),
                    java.util.Arrays.copyOf(msg, 7), bytes("f")));
            m.append(inbox, bytes("Subject: after\r\n\r\n"), Set.of(), Instant.now());
            Mailboxes.Summary got = null;
            for (int i = 0; i < 200 && got == null; i++) { // bounded: 10 s
                got = m.summaries(inbox, List.of(2L)).get(2L);
                if (got == null) Thread.sleep(50);
            }
            assertThat(got).as("summarised without any reader").isNotNull();
            assertThat(new String(got.header(), StandardCharsets.US_ASCII)).isEqualTo("Subject");
            assertThat(m.headerFields(inbox, List.of(2L), List.of()).get(2L).fields()).isEqualTo(bytes("f"));
            assertThat(m.summaries(inbox, List.of(1L))).as("stored before the summarizer: left to first use").isEmpty();
        }
    }

    @Test
    public void mailboxCountersAgreeWithTheRowsOnEveryPath() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            long archive = m.find(ALICE, "Archive").orElseThrow().id();
            deliver(s.mail(), "Subject: smtp\r\n\r\nbody\r\n", local(ALICE)); // group commit
            m.append(inbox, bytes("Subject: a\r\n\r\n12345\r\n"), Set.of("\\Seen"), Instant.now());
            m.append(inbox, bytes("Subject: b\r\n\r\n1\r\n"), Set.of(), Instant.now());
            assertCounters(s, inbox);
            m.store(inbox, Set.of(1L), FlagMode.ADD, Set.of("\\Seen"), OptionalLong.empty());
            m.store(inbox, Set.of(2L), FlagMode.REPLACE, Set.of("$Work"), OptionalLong.empty());
            assertCounters(s, inbox);
            m.copy(inbox, Set.of(1L, 2L), archive, false);
            m.copy(inbox, Set.of(3L), archive, true);
            assertCounters(s, inbox);
            assertCounters(s, archive);
            m.store(archive, Set.of(1L), FlagMode.ADD, Set.of("\\Deleted"), OptionalLong.empty());
            m.expunge(archive, Optional.empty());
            assertCounters(s, archive);
            assertThat(m.usage(ALICE)).isEqualTo(m.find(ALICE, "INBOX").orElseThrow().size()
                    + m.find(ALICE, "Archive").orElseThrow().size());
            assertThat(m.delete(ALICE, "Archive")).isEqualTo(new Outcome.Done());
            assertThat(m.usage(ALICE)).isEqualTo(m.find(ALICE, "INBOX").orElseThrow().size());
        }
    }

    /** list()'s counters against a recount from the snapshot's rows. */
    private static void assertCounters(OpenStore s, long mailboxId) {
        Mailboxes.Snapshot snap = s.mailboxes().snapshot(mailboxId).orElseThrow();
        Mailboxes.Mailbox kept = s.mailboxes().list(ALICE).stream().filter(x -> x.id() == mailboxId).findFirst().orElseThrow();
        assertThat(kept.messages()).isEqualTo(snap.messages().size());
        assertThat(kept.unseen()).isEqualTo(snap.messages().stream().filter(x -> !x.flags().contains("\\Seen")).count());
        assertThat(kept.size()).isEqualTo(snap.messages().stream().mapToLong(Mailboxes.Message::size).sum());
    }

    @Test
    public void aMailboxRecreatedWithinTheSameSecondGetsANewUidValidityAndId() throws Exception {
        // a stopped clock: create, delete and create again all happen "in the same second"
        java.time.Clock stopped = java.time.Clock.fixed(java.time.Instant.parse("2026-11-26T00:00:00Z"), java.time.ZoneOffset.UTC);
        try (OpenStore s = openWithAlice(stopped)) {
            Mailboxes mb = s.mailboxes();
            assertThat(mb.create(ALICE, "Projects")).isInstanceOf(Mailboxes.Outcome.Done.class);
            Mailboxes.Mailbox first = mb.find(ALICE, "Projects").orElseThrow();
            assertThat(mb.delete(ALICE, "Projects")).isInstanceOf(Mailboxes.Outcome.Done.class);
            assertThat(mb.create(ALICE, "Projects")).isInstanceOf(Mailboxes.Outcome.Done.class);
            Mailboxes.Mailbox second = mb.find(ALICE, "Projects").orElseThrow();
            // RFC 9051 section 2.3.1.1: a client's cache of the old mailbox must not survive
            assertThat(second.uidValidity()).isGreaterThan(first.uidValidity());
            assertThat(second.id()).isNotEqualTo(first.id());

            // the same for a user removed and added again: every mailbox is new to a client
            long inboxValidity = mb.find(ALICE, "INBOX").orElseThrow().uidValidity();
            long inboxId = mb.find(ALICE, "INBOX").orElseThrow().id();
            assertThat(s.directory().removeUser(ALICE)).isTrue();
            s.directory().addUser(ALICE, "pw-alice-123".toCharArray());
            Mailboxes.Mailbox inbox = mb.find(ALICE, "INBOX").orElseThrow();
            assertThat(inbox.uidValidity()).isGreaterThan(Math.max(inboxValidity, second.uidValidity()));
            assertThat(inbox.id()).isGreaterThan(inboxId);
        }
    }
}
