package moat.server.mailauth;

import java.io.IOException;

/** What happens to one message as it streams: receipt checks, submission signing, or nothing. */
interface Treatment {
    /** The header section is complete (bounded); answers the bytes to write to the draft now. */
    byte[] headers(byte[] section);

    /** The next chunk of the body, in order. */
    void body(byte[] b, int off, int len);

    /** End of data: the decision; {@code sink} gives the written message back for checks that need all of it. */
    Ending end(StagedSink sink) throws IOException;
}
