package moat.protocol.smtp;

import java.io.OutputStream;
import moat.core.Reply;

/** What the I/O layer must do next after the session handled an input. */
public sealed interface Action {
    /** Send the reply and read the next command line. */
    record Send(Reply reply) implements Action {}

    /** Send the reply, then close the connection. */
    record Close(Reply reply) implements Action {}

    /**
     * Send the 220 reply, DISCARD every byte already buffered from the client (STARTTLS
     * injection), perform the TLS handshake, then call {@link SmtpSession#tlsStarted}.
     */
    record StartTls(Reply reply) implements Action {}

    /** Send the 354 reply, then stream the data through the decoder into the sink until it ends; then {@link SmtpSession#dataEnded}. */
    record ReadData(Reply reply, DataDecoder decoder, OutputStream sink) implements Action {}

    /** Read exactly {@code size} octets through the decoder into the sink (no reply first); then {@link SmtpSession#chunkEnded}. */
    record ReadChunk(long size, DataDecoder decoder, OutputStream sink) implements Action {}
}
