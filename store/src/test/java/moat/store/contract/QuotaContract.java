package moat.store.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.OptionalLong;
import java.util.Set;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.Mailboxes;
import org.junit.jupiter.api.Test;

/**
 * Quotas (RFC 9208): each user's limit in the {@link moat.store.Directory} (none: the configured
 * default) and their usage from {@link Mailboxes#usage}, every mailbox and every copy counted.
 */
public abstract class QuotaContract extends StoreContract {
    static final EmailAddress ALICE = addr("alice@example.org");

    private OpenStore openWithAlice() throws java.io.IOException {
        OpenStore s = open();
        s.directory().addDomain(Domain.of("example.org"));
        s.directory().addUser(ALICE, "pw-alice-123".toCharArray());
        return s;
    }

    @Test
    public void usageCountsEveryMailboxOfTheUserAndQuotaIsKeptPerUser() throws Exception {
        try (OpenStore s = openWithAlice()) {
            Mailboxes m = s.mailboxes();
            long inbox = m.find(ALICE, "INBOX").orElseThrow().id();
            long archive = m.find(ALICE, "Archive").orElseThrow().id();
            assertThat(m.usage(ALICE)).isZero();
            m.append(inbox, bytes("Subject: a\r\n\r\n12345\r\n"), Set.of(), Instant.now()); // 21 octets
            m.copy(inbox, Set.of(1L), archive, false);
            assertThat(m.usage(ALICE)).as("a copy counts again").isEqualTo(42);
            assertThat(m.usage(addr("nobody@example.org"))).isZero();

            assertThat(s.directory().quota(ALICE)).isEmpty();
            assertThat(s.directory().setQuota(ALICE, OptionalLong.of(5000))).isTrue();
            assertThat(s.directory().quota(ALICE)).hasValue(5000);
            assertThat(s.directory().setQuota(ALICE, OptionalLong.empty())).isTrue();
            assertThat(s.directory().quota(ALICE)).isEmpty();
            assertThat(s.directory().setQuota(addr("nobody@example.org"), OptionalLong.of(1))).isFalse();
        }
    }
}
