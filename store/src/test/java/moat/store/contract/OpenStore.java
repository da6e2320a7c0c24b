package moat.store.contract;

import java.io.IOException;
import moat.store.Directory;
import moat.store.GreylistState;
import moat.store.MailStore;
import moat.store.Mailboxes;
import moat.store.OutboundQueue;
import moat.store.UserLists;

/** One open store, as the server sees it through the SPI. Closing it is a clean stop. */
public interface OpenStore extends AutoCloseable {
    Directory directory();

    MailStore mail();

    Mailboxes mailboxes();

    OutboundQueue queue();

    UserLists userLists();

    GreylistState greylist();

    /** How many message bodies the back-end holds, drafts being written included. */
    long bodies() throws IOException;

    /** Whether the body of this id is still held. */
    boolean hasBody(String bodyId) throws IOException;

    @Override
    void close();
}
