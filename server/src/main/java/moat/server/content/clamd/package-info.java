/**
 * Antivirus through ClamAV's clamd: the content check {@code content.virus} streams each stored
 * message to clamd at end of DATA and refuses it ({@code 554 5.7.1 content.virus}) when clamd
 * names a signature (docs/adr/0019 for the stage it runs in).
 *
 * <p>Protocol: clamd(8), command INSTREAM, in the NUL-delimited form ({@code zINSTREAM\0}):
 * chunks of a 4-octet big-endian length and the data, a zero length to end, one reply
 * ({@code stream: OK}, {@code stream: <name> FOUND}, {@code <message> ERROR}). {@link
 * moat.server.content.clamd.Instream} holds the framing and the reply grammar without I/O;
 * {@link moat.server.content.clamd.ClamdClient} does the socket part over a Unix-domain socket
 * ({@code content.clamd_address = "unix:/path"}, clamd's LocalSocket) or TCP
 * ({@code "tcp:host:port"}, TCPSocket). VERSION is sent once at start to report whether clamd answers.
 *
 * <p>Failures: clamd down, slower than content.clamd_timeout, or answering an ERROR or anything
 * that is not one of its replies is not a verdict; the check throws and content.on_error decides
 * (default 451 4.3.0: the sender keeps the message and retries), one content.check_failed line each.
 *
 * <p>Size: at most content.clamd_max_size octets (default 25 MiB, clamd's StreamMaxLength
 * default) go to clamd; of a larger message the first part is scanned and the rest is not (as
 * with content.max_scan_size for the other checks). Deferring instead would refuse every large
 * message until its sender gave up, and a bounce is worse than a partial scan. A
 * content.clamd_max_size above clamd's StreamMaxLength makes clamd answer
 * {@code INSTREAM size limit exceeded}, which is a failure (content.on_error): keep it at or below.
 *
 * <p>SECURITY: the signature name goes to the audit log (content.verdict detail), never to the
 * client, so a sender cannot learn which signature to evade. clamd's reply is read up to 1 KiB and
 * logged as printable ASCII only. clamd parses hostile MIME and archives in its own process, not
 * in Moat's.
 *
 * <p>One connection per message, no pool: reusing one with clamd's IDSESSION measured the same
 * (4 KiB messages over the Unix socket, clamd 1.4.6: 0.284 ms per message with a new connection,
 * 0.281 ms in one session; connect and accept are lost in clamd's own work), and a session would
 * bring per-connection state and clamd's idle timeout to handle.
 *
 * <p>LIMITATION: malware past
 * content.clamd_max_size is not seen. Archive depth, zip-bomb and scan-time limits are clamd's own
 * (MaxRecursion, MaxScanSize, MaxScanTime in clamd.conf).
 */
package moat.server.content.clamd;
