/**
 * What every connection of every protocol shares, below the protocol: the accept loop and the
 * buffered input.
 *
 * <p>{@link moat.server.connection.Acceptor} is the one accept loop of SMTP, IMAP and POP3: a
 * listening socket on a platform thread that asks the connection gate at accept, then runs the
 * connection on its own virtual thread or writes the protocol's one-line refusal (no TLS, no
 * session, no thread for a refused client). A failure inside one connection never stops it.
 *
 * <p>{@link moat.server.connection.ClientInput} is the buffered byte input every blocking
 * connection loop (SMTP, POP3) reads through: bounded command lines, a buffer that grows only for
 * message bodies, and the STARTTLS discard.
 *
 * <p>Security: {@link moat.server.connection.ClientInput#discardBuffered()} drops bytes a client
 * pipelined behind STARTTLS/STLS so they are never read as if they had come over TLS
 * (CVE-2011-0411 class). A line longer than its bound is skipped up to its LF, never buffered.
 *
 * <p>LIMITATION: the IMAP connection still has its own reader (it interleaves literals with
 * lines); moving it here is open work.
 */
package moat.server.connection;
