package moat.server.mailauth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** No checks, no signature: the Received field, then the message as it came. */
final class Plain implements Treatment {
    private final String received;

    Plain(String received) {
        this.received = received;
    }

    @Override
    public byte[] headers(byte[] section) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(received.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(section);
        return out.toByteArray();
    }

    @Override
    public void body(byte[] b, int off, int len) {
    }

    @Override
    public Ending end(StagedSink sink) {
        return new Ending.Deliver(Folder.INBOX, new byte[0], Map.of());
    }
}
