/**
 * IMAP server sessions (RFC 9051 IMAP4rev2, also serving RFC 3501 IMAP4rev1 clients), with no
 * I/O: {@link moat.protocol.imap.ImapSession} takes complete commands (literals inline) and
 * returns {@link moat.protocol.imap.ImapAction}s; mail comes through the
 * {@link moat.protocol.imap.ImapBackend} the server implements over the store. A command is
 * parsed once ({@code ImapRequest}) against one table ({@code ImapCommand}: the states that allow
 * it, whether UID may prefix it, the capability that advertises it, its handler); the handlers
 * are grouped by family ({@code MailboxCommands}, {@code MessageCommands}, {@code FetchCommand},
 * {@code SearchCommand}, {@code QuotaCommands}). {@code ImapSessionTest} drives the session
 * directly, state by command, over an in-memory backend.
 *
 * <p>Extensions: LITERAL+ (RFC 7888), ID (RFC 2971, answered with NIL), ENABLE (RFC 5161),
 * IDLE (RFC 2177), NAMESPACE (RFC 2342), SASL-IR (RFC 4959), UIDPLUS (RFC 4315), MOVE
 * (RFC 6851), UNSELECT (RFC 3691), CHILDREN (RFC 3348), SPECIAL-USE (RFC 6154), CONDSTORE
 * (RFC 7162) and QRESYNC (RFC 7162 section 3.2; docs/adr/0016: no expunge history, so VANISHED
 * (EARLIER) reports every expunged UID of the known set, not only the recent ones), BINARY (RFC 3516: base64 and quoted-printable undone, literal8 both ways; another
 * encoding is NO [UNKNOWN-CTE]), LIST-EXTENDED (RFC 5258) with LIST-STATUS (RFC 5819), ESEARCH (RFC 4731), UTF8=ACCEPT (RFC 6855), APPENDLIMIT (RFC 7889), QUOTA with
 * the STORAGE resource (RFC 9208; one root "" per user, SETQUOTA refused: the administrator sets
 * limits).
 *
 * <p>ENVELOPE, BODY and BODYSTRUCTURE are built once per message and kept by the backend in wire
 * form with the top-level header ({@code MessageSummary}, docs/adr/0014), normally right after
 * the message is stored (docs/adr/0017): FETCHes and header-only SEARCHes read neither the file
 * nor mime4j. Header SEARCH keys on the usual fields match the cached, RFC 2047-decoded and
 * lower-cased field values ({@code SearchFields}), pre-filtered by the store.
 *
 * <p>The selected mailbox is its counters and a UID array; flags, modseq, size and INTERNALDATE
 * are read into parallel arrays when a command first needs them ({@code SelectedMailbox},
 * docs/adr/0018).
 *
 * <p>SECURITY: before TLS the session advertises LOGINDISABLED, no AUTH= capability, and
 * refuses LOGIN and AUTHENTICATE (RFC 9051 section 11.1); the greeting and ID reveal no
 * software name or version. Every parse is bounded: tag and line length, literal size (1 KiB
 * before login, APPENDLIMIT for APPEND, a smaller bound elsewhere), parenthesis nesting,
 * sequence numbers (1..2^32-1), search keys, flags, header-field lists, MIME depth; mailbox
 * names in modified UTF-7 are decoded strictly. Bad syntax is a tagged BAD; too many errors end
 * the session with BYE.
 *
 * <p>LIMITATION: no \Recent (always 0), no SEARCHRES ($), no
 * MULTIAPPEND, no sorting/threading; SEARCH BODY/TEXT matching does not decode
 * MIME (header keys match decoded encoded-words); FETCH of a body reads the whole message into memory (bounded by the message size limit).
 * LIMITATION: RENAME of INBOX is refused rather than moving its messages.
 */
package moat.protocol.imap;
