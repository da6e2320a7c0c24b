package moat.store.contract;

import moat.store.Directory;
import moat.store.OutboundQueue;
import moat.store.UserLists;

/** The admin commands' view of a store's storage (see {@link Backend#openAdmin}). */
public interface AdminView extends AutoCloseable {
    Directory directory();

    UserLists userLists();

    OutboundQueue queue();

    @Override
    void close();
}
