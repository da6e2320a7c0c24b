package moat.server.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import moat.core.EmailAddress;
import moat.protocol.pop3.Maildrop;
import moat.store.MailStore;
import moat.store.MailStore.StoredMessage;

/**
 * A user's INBOX as a POP3 maildrop. The UIDL value is {@code <uidvalidity>.<uid>}: the same
 * pair IMAP uses, so it is stable across sessions and never reused (UIDs only grow).
 */
final class StoreMaildrop implements Maildrop {
    static final String MAILBOX = "INBOX";

    private final MailStore store;
    private final EmailAddress user;
    private final Runnable unlock;
    private final Map<Long, StoredMessage> byUid = new HashMap<>();
    private boolean released;

    StoreMaildrop(MailStore store, EmailAddress user, Runnable unlock) {
        this.store = store;
        this.user = user;
        this.unlock = unlock;
    }

    @Override
    public List<Entry> entries() throws IOException {
        List<StoredMessage> msgs = store.messages(user, MAILBOX);
        byUid.clear();
        msgs.forEach(m -> byUid.put(m.uid(), m));
        return msgs.stream().map(m -> new Entry(m.uid(), m.size(), m.uidValidity() + "." + m.uid())).toList();
    }

    @Override
    public InputStream open(Entry entry) throws IOException {
        StoredMessage m = byUid.get(entry.uid());
        if (m == null) throw new IOException("not in this maildrop: " + entry.uid());
        return store.open(m);
    }

    @Override
    public void delete(Collection<Entry> entries) throws IOException {
        store.expunge(user, MAILBOX, entries.stream().map(Entry::uid).toList());
    }

    @Override
    public void release() {
        if (released) return;
        released = true;
        unlock.run();
    }
}
