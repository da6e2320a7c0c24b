package moat.server.mailauth;

/**
 * Where local recipients get a message that was accepted: a closed choice, so that "Junk" is
 * spelt once and a new destination is a compile error in every switch rather than a typo.
 * The names are the SPECIAL-USE mailboxes every user has (RFC 6154; moat.store.sqlite).
 */
public enum Folder {
    INBOX("INBOX"),
    /** Quarantine: DMARC p=quarantine or a content check's quarantine action. */
    JUNK("Junk");

    private final String mailbox;

    Folder(String mailbox) {
        this.mailbox = mailbox;
    }

    /** The mailbox name the store files the message under (also the audit field "mailbox"). */
    public String mailbox() {
        return mailbox;
    }
}
