/**
 * Content checks: the data stage of the check SPI ({@link moat.policy.Check#data}), run on the
 * staged message at end of DATA/BDAT, inbound and on submission.
 * <ul>
 *   <li>{@link moat.policy.content.AttachmentCheck}: attachment file names (Content-Disposition
 *       {@code filename}, Content-Type {@code name}; RFC 2183, RFC 2045, with RFC 2231
 *       continuations and charsets and RFC 2047 encoded words) whose extension is refused
 *       (executables and scripts by default);</li>
 *   <li>{@link moat.policy.content.PatternCheck}: regular expressions over the raw message.</li>
 * </ul>
 *
 * <p>SECURITY: both read at most {@link moat.policy.Content#scanLimit()} octets; the MIME walk
 * counts parts and refuses a structure with more than its bound (hiding an executable behind
 * thousands of parts); a regular expression is matched over a character sequence that stops
 * when the thread is interrupted, so the pipeline's time limit ends a catastrophic backtrack.
 *
 * <p>LIMITATION: archives (zip, rar, 7z) are not opened: an executable inside a zip passes.
 * LIMITATION: patterns see the message as transmitted; base64 or quoted-printable bodies are not
 * decoded first. LIMITATION: what lies beyond the scan limit is not looked at.
 */
package moat.policy.content;
