package moat.server.mailauth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import moat.auth.arc.ArcResult;
import moat.auth.arc.ArcVerifier;
import moat.auth.authres.AuthenticationResults;
import moat.auth.dkim.DkimResult;
import moat.auth.dkim.DkimVerification;
import moat.auth.dkim.DkimVerifier;
import moat.auth.dmarc.Dmarc;
import moat.auth.dmarc.DmarcPolicy;
import moat.auth.dmarc.DmarcResult;
import moat.auth.spf.Spf;
import moat.auth.spf.SpfResult;
import moat.core.Domain;
import moat.core.Reason;
import moat.core.Reply;
import moat.policy.CheckState;

/**
 * Port 25, one message: DKIM verified while the body streams, then DMARC for the From domain,
 * ARC when a trusted sealer could override a DMARC fail, and the decision of
 * docs/adr/0009-mail-authentication-actions.md. The stored message gets
 * {@code Received} + {@code Authentication-Results} on top; any Authentication-Results field that
 * claims our authserv-id is removed first (RFC 8601 section 5: a forged one would be believed by
 * our own users' clients).
 */
final class Receipt implements Treatment {
    /** What the receiving side needs, shared by every session. */
    record Config(String authservId, Spf spf, DkimVerifier dkim, Dmarc dmarc, ArcVerifier arc, SpfAction spfAction,
                  boolean enforceDmarc, boolean requireSingleFrom, Set<String> trustedSealers, long maxMessageSize) {
        Config {
            trustedSealers = Set.copyOf(trustedSealers);
        }
    }

    /** spf.fail_action as the receipt side reads it. */
    enum SpfAction { REJECT_WITHOUT_DMARC, AT_MAIL_FROM, OFF }

    private final Config config;
    private final CheckState state;
    private final String received;
    private byte[] original;
    private HeaderSection header;
    private DkimVerification verification;

    Receipt(Config config, CheckState state, String received) {
        this.config = config;
        this.state = state;
        this.received = received;
    }

    @Override
    public byte[] headers(byte[] section) {
        original = section;
        header = HeaderSection.parse(section);
        verification = config.dkim().begin(section);
        return header.without(f -> f.name().equals("authentication-results")
                && AuthenticationResults.claims(f.line(), config.authservId()));
    }

    @Override
    public void body(byte[] b, int off, int len) {
        verification.update(b, off, len);
    }

    @Override
    public Ending end(StagedSink sink) throws IOException {
        Map<String, Object> audit = new LinkedHashMap<>();
        boolean trusted = state.trusted();
        // A trusted session (trusted network, allow list) is not judged: results are recorded only.
        SpfResult spf = trusted ? null : SpfCheck.evaluate(config.spf(), state);
        List<DkimResult> dkim = verification.finish();
        AuthenticationResults ar = new AuthenticationResults(config.authservId());
        if (spf != null) {
            ar.spf(spf);
            audit.put("spf", spf.result().token());
            audit.put("spf_domain", spf.domain());
            if (!spf.problem().isEmpty()) audit.put("spf_reason", spf.problem());
        }
        ar.dkim(dkim);
        audit.put("dkim", dkim.isEmpty() ? "none" : String.join(" ", dkim.stream()
                .map(d -> d.result().token() + ":" + d.domain() + ":" + d.selector()).toList()));
        List<String> dkimReasons = dkim.stream().filter(d -> d.result() != DkimResult.Code.PASS).map(DkimResult::reason).toList();
        if (!dkimReasons.isEmpty()) audit.put("dkim_reason", String.join("; ", dkimReasons));

        HeaderSection.From from = header.from();
        if (from.kind() != HeaderSection.FromKind.SINGLE) {
            audit.put("dmarc", "permerror");
            audit.put("dmarc_reason", "From field: " + from.kind().name().toLowerCase(java.util.Locale.ROOT));
            // Several authors is how a forger shows one domain and has another evaluated: refuse.
            // No From or an unparsable one names no domain to impersonate: deliver, DMARC unevaluated.
            if (from.kind() == HeaderSection.FromKind.SEVERAL && config.requireSingleFrom() && !trusted) {
                return new Ending.Refuse(Reply.of(Reason.FROM_INVALID), audit);
            }
            return deliver(Folder.INBOX, ar, audit);
        }
        Domain fromDomain = from.address().orElseThrow().domain();
        DmarcResult dmarc = config.dmarc().evaluate(fromDomain.ascii(), spf, dkim);
        ar.dmarc(dmarc);
        audit.put("dmarc", dmarc.result().token());
        audit.put("dmarc_from", dmarc.fromDomain());
        audit.put("dmarc_disposition", dmarc.disposition().name().toLowerCase(java.util.Locale.ROOT));
        audit.put("dmarc_reason", dmarc.reason());
        if (trusted) return deliver(Folder.INBOX, ar, audit);

        // spf.fail_action = reject_without_dmarc: a domain with a DMARC policy has said what it wants.
        if (config.spfAction() == SpfAction.REJECT_WITHOUT_DMARC && spf != null && spf.result() == SpfResult.Code.FAIL
                && dmarc.result() == DmarcResult.Code.NONE) {
            return new Ending.Refuse(Reply.of(Reason.SPF_FAIL, Reason.SPF_FAIL.text() + ": "
                    + spf.explanation().orElse(spf.domain())), audit);
        }
        if (!config.enforceDmarc() || dmarc.result() != DmarcResult.Code.FAIL || dmarc.disposition() == DmarcPolicy.NONE) {
            return deliver(Folder.INBOX, ar, audit);
        }
        Optional<ArcResult> arc = trustedArc(sink);
        arc.ifPresent(a -> {
            ar.arc(a);
            audit.put("arc", a.cv().token());
            audit.put("arc_reason", a.reason());
        });
        if (arc.isPresent() && arc.get().cv() == ArcResult.Code.PASS) {
            // RFC 7489 section 10.1 / RFC 8617 section 7.2: a local policy exception for a sealer we trust.
            audit.put("dmarc_override", "arc: " + header.newestArcSealer().orElse(""));
            return deliver(Folder.INBOX, ar, audit);
        }
        return switch (dmarc.disposition()) {
            case REJECT -> new Ending.Refuse(Reply.of(Reason.DMARC_REJECT,
                    Reason.DMARC_REJECT.text() + " " + dmarc.fromDomain()), audit);
            case QUARANTINE -> deliver(Folder.JUNK, ar, audit);
            case NONE -> deliver(Folder.INBOX, ar, audit);
        };
    }

    /**
     * ARC only when it could matter: the newest seal is by a trusted sealer. The verifier needs
     * the whole message: the original header section (before our filtering) plus the body read
     * back from the draft. LIMITATION: that copy is in memory, bounded by smtp.max_message_size.
     */
    private Optional<ArcResult> trustedArc(StagedSink sink) throws IOException {
        Optional<String> sealer = header.newestArcSealer();
        if (sealer.isEmpty() || !config.trustedSealers().contains(sealer.get())) return Optional.empty();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(original);
        try (InputStream body = sink.body()) {
            byte[] rest = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, config.maxMessageSize()));
            all.writeBytes(rest);
        }
        return Optional.of(config.arc().verify(all.toByteArray()));
    }

    private Ending deliver(Folder folder, AuthenticationResults ar, Map<String, Object> audit) {
        audit.put("mailbox", folder.mailbox());
        byte[] prefix = (received + ar.header()).getBytes(StandardCharsets.UTF_8);
        return new Ending.Deliver(folder, prefix, audit);
    }
}
