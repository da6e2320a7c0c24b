package moat.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import moat.auth.arc.ArcResult;
import moat.auth.arc.ArcSealer;
import moat.auth.arc.ArcSealingKey;
import moat.auth.arc.ArcVerifier;
import moat.auth.authres.AuthenticationResults;
import moat.auth.dkim.DkimSigningKey;
import moat.auth.dkim.DkimSyntaxException;
import moat.auth.dkim.HeaderField;
import moat.auth.dkim.MessageSplit;
import moat.core.Domain;

/**
 * ARC-seals a message that an alias forwards off-site (RFC 8617 section 5.1): Moat is then an
 * intermediary, and the next hop can trust the SPF/DKIM/DMARC results Moat recorded on receipt
 * even though forwarding breaks SPF (and a changed message DKIM). The set is computed at sending
 * time from the stored message, which stays unchanged on disk (docs/adr/0013-arc-forwarding.md).
 *
 * <p>The ARC-Authentication-Results copies our own Authentication-Results (the topmost field
 * claiming our authserv-id: Moat removed forged ones on receipt and put its own on top); cv= is
 * what {@link ArcVerifier} says about the chain the message arrived with. The key is the alias
 * domain's DKIM key from {@code data_dir/dkim/<domain>/}: RSA when there is one (receivers rarely
 * accept Ed25519 ARC seals yet), else Ed25519.
 *
 * <p>LIMITATION: the message is held in memory while sealing; messages over {@link #MAX_BYTES}
 * go out unsealed.
 */
public final class ArcForwarder {
    /** Larger than any message Moat accepts by default (smtp.max_message_size): a bound, not a policy. */
    static final int MAX_BYTES = 64 << 20;

    /** Why a message goes out without a set, for the audit log. */
    public sealed interface Outcome {
        /** The three fields to put on top (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results). */
        record Sealed(byte[] prefix, String selector, String cv) implements Outcome {}

        record NotSealed(String why) implements Outcome {}
    }

    private final Map<Domain, List<DkimSigningKey>> keys;
    private final String authservId;
    private final ArcVerifier verifier;
    private final Clock clock;

    /** {@code authservId} is the server's host name, as written into Authentication-Results on receipt. */
    public ArcForwarder(Map<Domain, List<DkimSigningKey>> keys, String authservId, ArcVerifier verifier, Clock clock) {
        this.keys = Map.copyOf(keys);
        this.authservId = Objects.requireNonNull(authservId, "authservId");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The DKIM keys by domain (also used to sign TLS-RPT reports). */
    Map<Domain, List<DkimSigningKey>> keys() {
        return keys;
    }

    /** The set for a message forwarded by an alias of {@code aliasDomain}, read from {@code body}. */
    Outcome seal(Domain aliasDomain, InputStream body) throws IOException {
        Optional<DkimSigningKey> key = keys.getOrDefault(aliasDomain, List.of()).stream()
                .max(Comparator.comparing((DkimSigningKey k) -> k.key() instanceof RSAPrivateKey));
        if (key.isEmpty()) return new Outcome.NotSealed("no DKIM key for " + aliasDomain.ascii());
        byte[] message = body.readNBytes(MAX_BYTES + 1);
        if (message.length > MAX_BYTES) return new Outcome.NotSealed("message over " + MAX_BYTES + " octets");
        ArcResult chain = verifier.verify(message);
        ArcSealer sealer = new ArcSealer(new ArcSealingKey(key.get().domain(), key.get().selector(), key.get().key()),
                ArcSealer.DEFAULT_SIGNED, clock);
        Optional<String> set = sealer.seal(message, authservId, ourResults(message), chain);
        if (set.isEmpty()) return new Outcome.NotSealed("chain cannot be extended (" + chain.cv().token() + ")");
        String cv = chain.instances() == 0 ? "none" : chain.cv().token();
        return new Outcome.Sealed(set.get().getBytes(StandardCharsets.US_ASCII), key.get().selector(), cv);
    }

    /** The resinfo part of our topmost Authentication-Results (after "authserv-id;"), or "" when none. */
    private String ourResults(byte[] message) {
        List<HeaderField> fields;
        try {
            fields = HeaderField.parse(Arrays.copyOf(message, MessageSplit.bodyStart(message)), 256 << 10, 1000);
        } catch (DkimSyntaxException e) {
            return "";
        }
        for (HeaderField f : fields) {
            if (!AuthenticationResults.claims(f.raw(), authservId)) continue;
            String v = f.value();
            int semi = v.indexOf(';');
            return semi < 0 ? "" : v.substring(semi + 1).strip();
        }
        return "";
    }
}
