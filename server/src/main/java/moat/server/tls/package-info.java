/**
 * TLS for every listener: loading PEM certificate chains and keys, a self-signed pair on first
 * start, and a {@link moat.server.tls.TlsContext} that reloads renewed certificates without a
 * restart (on a timer and on SIGHUP). Listeners see it as a {@link moat.server.tls.TlsWrapper}
 * (the SMTP, IMAP and POP3 connections wrap accepted sockets through it).
 *
 * <p>Standards: RFC 8446 (TLS 1.3), RFC 5246 (TLS 1.2), RFC 8996 (TLS 1.0/1.1 deprecated),
 * RFC 7468 (PEM), RFC 3207 (SMTP STARTTLS), RFC 8314 (implicit TLS for submission), RFC 7435
 * (opportunistic security). Cipher policy: Mozilla Server Side TLS "intermediate".
 *
 * <p>SECURITY: {@code wrapServerSide} never accepts pre-read bytes: plaintext pipelined before
 * the handshake must be discarded by the protocol layer (STARTTLS command injection,
 * CVE-2011-0411). Only AEAD suites with forward secrecy; the server picks the order. Private key
 * files are written 0600 via a temporary file and an atomic rename. A broken renewal never takes
 * TLS down: the previous pair keeps serving and the error is logged.
 *
 * <p>LIMITATION: one certificate for all names (no SNI-based selection, no dual RSA+ECDSA).
 * LIMITATION: encrypted private keys and RSASSA-PSS-only keys are not supported.
 * LIMITATION: no OCSP stapling, no client certificates, no DANE/MTA-STS (outbound concerns).
 * LIMITATION: a file rewritten in place within the file system's timestamp granularity with the
 * same size is not noticed until its next change (renames, as certbot does, always are).
 */
package moat.server.tls;
