package moat.protocol.pop3;

import java.io.InputStream;

/** What the I/O layer must do next after the session handled an input. */
public sealed interface Action {
    /** Send the response and read the next command line. */
    record Send(Response response) implements Action {}

    /** Send the response, then close the connection. */
    record Close(Response response) implements Action {}

    /** Send a SASL continuation line "+ challenge" (RFC 5034 section 4) and read the client's response line. */
    record Continue(String challenge) implements Action {}

    /**
     * Send the +OK response, DISCARD every byte already buffered from the client (STARTTLS
     * injection, RFC 2595 section 4 / CVE-2011-0411 class), perform the TLS handshake, then call
     * {@link Pop3Session#tlsStarted}.
     */
    record StartTls(Response response) implements Action {}

    /**
     * Send the +OK line, then the message through a {@link MessageEncoder} (dot-stuffed, ending
     * in CRLF.CRLF), then close {@code body}. {@code encoder} knows whether this is RETR or TOP.
     */
    record SendMessage(Response response, InputStream body, MessageEncoder encoder) implements Action {}
}
