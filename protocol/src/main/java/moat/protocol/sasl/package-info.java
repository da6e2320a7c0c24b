/**
 * SASL mechanisms for password logins: PLAIN (RFC 4616) and LOGIN (the de-facto mechanism of
 * draft-murchison-sasl-login, still needed by some clients). Pure decoding, shared by SMTP AUTH,
 * IMAP AUTHENTICATE and POP3 AUTH.
 *
 * <p>Security: only ever offered on a TLS channel (the protocol sessions enforce it). Decoded
 * passwords are {@code char[]} so callers can wipe them; nothing here logs.
 *
 * <p>LIMITATION: no SCRAM or OAUTHBEARER yet; authorisation identities other than the
 * authentication identity are refused.
 */
package moat.protocol.sasl;
