package moat.protocol.imap;

import moat.protocol.imap.ImapBackend.Summary;

/**
 * Builds and reads {@link Summary}: the ENVELOPE, BODY and BODYSTRUCTURE of a message in wire
 * form (RFC 9051 section 7.5.2) plus its top-level header section, so that a message is parsed
 * once rather than at every FETCH or header SEARCH. The wire forms do not depend on session
 * state (Out never uses UTF8=ACCEPT quoting), so any session can reuse them. The header fields
 * are also kept in {@link SearchFields} form, which is all a header SEARCH reads.
 */
final class MessageSummary {
    /** Bump when {@link Structure} output changes: summaries of another format are rebuilt. */
    static final int FORMAT = 2; // 2: with SearchFields

    private MessageSummary() {}

    static Summary of(MimePart m) {
        Out env = new Out();
        Structure.envelope(env, m);
        Out body = new Out();
        Structure.body(body, m, false);
        Out bs = new Out();
        Structure.body(bs, m, true);
        return new Summary(FORMAT, env.bytes(), body.bytes(), bs.bytes(), m.slice(m.start(), m.bodyStart()),
                SearchFields.cached(m.headers()));
    }

    static boolean usable(Summary s) {
        return s != null && s.format() == FORMAT;
    }
}
