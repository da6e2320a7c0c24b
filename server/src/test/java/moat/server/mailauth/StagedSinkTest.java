package moat.server.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import moat.store.MailStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The header section is found whatever the chunk sizes; the body streams on, never buffered. */
class StagedSinkTest {
    private static final String HEADER = "From: a@b.example\r\nSubject: s\r\n\r\n";
    private static final String BODY = "line 1\r\n\r\nline 3\r\n";

    /** A draft in memory: this test is about splitting, the store has its own tests. */
    static final class MemoryDraft implements MailStore.Draft {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override public String id() { return "test"; }
        @Override public OutputStream out() { return bytes; }
        @Override public long size() { return bytes.size(); }
        @Override public void discard() { }
        @Override public void prepend(byte[] prefix) { }
        @Override public InputStream readBack() { return new java.io.ByteArrayInputStream(bytes.toByteArray()); }
    }

    static final class Recording implements Treatment {
        String header;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final List<Integer> chunks = new ArrayList<>();

        @Override
        public byte[] headers(byte[] section) {
            header = new String(section, StandardCharsets.US_ASCII);
            return ("X-Seen: 1\r\n" + header).getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void body(byte[] b, int off, int len) {
            body.write(b, off, len);
            chunks.add(len);
        }

        @Override
        public Ending end(StagedSink sink) {
            return new Ending.Deliver(Folder.INBOX, new byte[0], java.util.Map.of());
        }
    }

    @ParameterizedTest(name = "chunks of {0}")
    @ValueSource(ints = {1, 2, 3, 7, 33, 1000})
    void splitsAtTheEmptyLineWhateverTheChunks(int chunk) throws IOException {
        MemoryDraft draft = new MemoryDraft();
        Recording t = new Recording();
        StagedSink sink = new StagedSink(draft, t, 1024);
        byte[] all = (HEADER + BODY).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < all.length; i += chunk) sink.out().write(all, i, Math.min(chunk, all.length - i));
        sink.finish();
        assertThat(t.header).isEqualTo(HEADER);
        assertThat(t.body.toString(StandardCharsets.US_ASCII)).isEqualTo(BODY);
        assertThat(draft.bytes.toString(StandardCharsets.US_ASCII)).isEqualTo("X-Seen: 1\r\n" + HEADER + BODY);
        try (InputStream body = sink.body()) {
            assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(BODY);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Subject: only a header\r\n", "\r\nbody without header\r\n"})
    void aMessageWithoutBodyOrWithoutHeaderIsSplitToo(String message) throws IOException {
        MemoryDraft draft = new MemoryDraft();
        Recording t = new Recording();
        StagedSink sink = new StagedSink(draft, t, 1024);
        sink.out().write(message.getBytes(StandardCharsets.US_ASCII));
        sink.finish();
        int split = message.startsWith("\r\n") ? 2 : message.length();
        assertThat(t.header).isEqualTo(message.substring(0, split));
        assertThat(t.body.toString(StandardCharsets.US_ASCII)).isEqualTo(message.substring(split));
    }

    @org.junit.jupiter.api.Test
    void anOversizedHeaderFailsInsteadOfGrowing() throws IOException {
        StagedSink sink = new StagedSink(new MemoryDraft(), new Recording(), 1024);
        sink.out().write(("X: " + "a".repeat(2000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(sink.failure()).isNotNull();
    }
}
