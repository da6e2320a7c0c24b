/**
 * The data stage of the policy pipeline ({@link moat.policy.Check#data}): content checks over the
 * staged message at end of DATA/BDAT, after mail authentication, before the "250"; on port 25
 * and, with {@code content.check_submission}, on submission (docs/adr/0019).
 *
 * <p>Checks, in order: attachment extensions and patterns ({@code moat.policy.content}), then
 * antivirus through clamd ({@link moat.server.content.clamd}), then those an embedding program adds.
 *
 * <p>Verdicts: reject (550 with the reason, nothing stored), defer (451 4.x.x, nothing stored),
 * quarantine (local recipients: Junk; remote: queue rows written held), add-header (fields on
 * top of the stored message), score (added to the session's points against policy.reject_score).
 * Every verdict other than no-opinion is audited as {@code content.verdict}; a failing or
 * timed-out check as {@code content.check_failed}.
 *
 * <p>SECURITY: a check reads at most content.max_scan_size octets and runs under content.timeout
 * on its own virtual thread (interrupted at the limit); a check that throws or times out never
 * loses a message: by default the reply is 451 and the sender keeps it.
 *
 * <p>LIMITATION: a timed-out check that ignores interruption keeps its virtual thread until it
 * returns; the session does not wait for it (its state is a copy, so it cannot race the session).
 */
package moat.server.content;
