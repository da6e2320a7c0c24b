/**
 * MIME rewriting that transport needs: {@link moat.protocol.mime.SevenBit} turns a message with
 * 8-bit body octets into a 7-bit one (RFC 6152 section 3: a client whose peer lacks 8BITMIME must
 * convert or fail; RFC 2045 section 6 content-transfer-encodings; RFC 2046 composite types).
 * Parsing is Apache James mime4j's token stream, never a hand-written MIME parser.
 *
 * <p>Security notes: input is a message Moat already accepted; nesting is bounded
 * ({@link moat.protocol.mime.SevenBit#MAX_DEPTH}, deeper entities are left as they are) and
 * every leaf is buffered in memory, so the caller bounds the message size (the queue only holds
 * messages under {@code smtp.max_message_size}).
 *
 * <p>LIMITATION: 8-bit octets in header fields are not touched (that is SMTPUTF8's domain, RFC
 * 6531); a converted message no longer matches DKIM signatures made over its 8-bit form (RFC
 * 6376 section 5.3 asks signers to convert first; submission signs the original).
 */
package moat.protocol.mime;
