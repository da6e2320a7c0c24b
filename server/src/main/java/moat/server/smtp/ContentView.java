package moat.server.smtp;

import java.io.ByteArrayInputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import moat.policy.Content;
import moat.protocol.smtp.SessionInfo;
import moat.protocol.smtp.SmtpHandler.Transaction;
import moat.server.mailauth.Ending;
import moat.server.mailauth.StagedSink;
import moat.store.MailStore;

/**
 * The staged message as the content checks see it: the trace and authentication fields that
 * will go on top, then what the draft holds (header section and body), read back from disk.
 */
final class ContentView {
    private ContentView() {}

    static Content of(SessionInfo s, Transaction t, Ending.Deliver deliver, StagedSink sink, long scanLimit) {
        byte[] prefix = deliver.prefix();
        MailStore.Draft draft = sink.draft();
        String headers = new String(prefix, StandardCharsets.ISO_8859_1)
                + new String(sink.writtenHeader(), StandardCharsets.ISO_8859_1);
        Map<String, String> auth = new LinkedHashMap<>();
        for (String k : new String[] {"spf", "dkim", "dmarc", "arc"}) {
            Object v = deliver.audit().get(k);
            if (v != null) auth.put(k, v.toString());
        }
        return new Content(t.sender(), t.accepted(), s.authUser(), auth, headers,
                prefix.length + draft.size(), scanLimit,
                () -> new SequenceInputStream(new ByteArrayInputStream(prefix), draft.readBack()));
    }
}
