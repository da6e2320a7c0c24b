package moat.server.mailauth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import moat.auth.dkim.DkimSigner;
import moat.auth.dkim.DkimSigning;
import moat.auth.dkim.DkimSigningKey;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.Directory;

/**
 * Submission, one message: when the From address belongs to the authenticated user and its
 * domain has keys, one DKIM signature per key (Ed25519 and RSA: RFC 8463 section 3 advises
 * dual signing while verifiers without Ed25519 remain) is computed while the body streams and put
 * on top with the Received field at end of DATA. Otherwise the message goes out unsigned.
 */
final class Signing implements Treatment {
    private final Map<Domain, List<DkimSigningKey>> keys;
    private final Clock clock;
    private final Directory directory;
    private final EmailAddress user;
    private final String received;
    private final List<DkimSigning> signings = new ArrayList<>();
    private final Map<String, Object> audit = new LinkedHashMap<>();

    Signing(Map<Domain, List<DkimSigningKey>> keys, Clock clock, Directory directory, EmailAddress user, String received) {
        this.keys = keys;
        this.clock = clock;
        this.directory = directory;
        this.user = user;
        this.received = received;
    }

    @Override
    public byte[] headers(byte[] section) {
        Optional<EmailAddress> from = HeaderSection.parse(section).fromAddress();
        List<DkimSigningKey> mine = from.map(f -> keys.getOrDefault(f.domain(), List.of())).orElse(List.of());
        if (mine.isEmpty()) {
            audit.put("dkim_signed", "none");
        } else if (!directory.owns(user, from.get())) {
            // A signature vouches for the author: never for a From the user does not own.
            audit.put("dkim_signed", "none");
            audit.put("dkim_sign_reason", "From not owned by the authenticated user");
        } else {
            try {
                for (DkimSigningKey k : mine) signings.add(new DkimSigner(k, clock).begin(section));
                audit.put("dkim_signed", String.join(" ", mine.stream().map(k -> k.domain() + ":" + k.selector()).toList()));
            } catch (IllegalArgumentException e) {
                signings.clear();
                audit.put("dkim_signed", "none");
                audit.put("dkim_sign_reason", e.getMessage());
            }
        }
        if (!signings.isEmpty()) return section; // Received goes on top with the signatures at the end
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(received.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(section);
        return out.toByteArray();
    }

    @Override
    public void body(byte[] b, int off, int len) {
        for (DkimSigning s : signings) s.update(b, off, len);
    }

    @Override
    public Ending end(StagedSink sink) {
        if (signings.isEmpty()) return new Ending.Deliver(Folder.INBOX, new byte[0], audit);
        StringBuilder prefix = new StringBuilder(received);
        for (DkimSigning s : signings) prefix.append(s.finish());
        return new Ending.Deliver(Folder.INBOX, prefix.toString().getBytes(StandardCharsets.UTF_8), audit);
    }
}
