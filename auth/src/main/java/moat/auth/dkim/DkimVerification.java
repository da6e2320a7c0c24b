package moat.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import moat.auth.dkim.DkimResult.BodyCoverage;
import moat.auth.dkim.DkimResult.Code;
import moat.core.PeerText;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;

/**
 * The verification of one message: header fields given once, then the body streamed through
 * {@link #update}, then {@link #finish}. Signatures that share a body canonicalisation, hash and
 * l= share one {@link BodyHasher}, so the body is read once whatever the number of signatures.
 * Not thread-safe: one session, one thread.
 */
public final class DkimVerification {
    private final Resolver dns;
    private final DkimSettings settings;
    private final Clock clock;
    private final List<HeaderField> fields;
    /** One entry per DKIM-Signature field, top first: a finished result or a signature to check. */
    private final List<Object> entries = new ArrayList<>();
    private final Map<BodyKey, BodyHasher> hashers = new LinkedHashMap<>();
    private boolean finished;

    /** A DKIM-Signature longer than this is refused: a 4096-bit RSA signature needs about 1 KiB. */
    static final int MAX_SIGNATURE_FIELD = 8192;

    /** Reasons end up in logs and Authentication-Results comments: one line, bounded. */
    static final int MAX_REASON = 200;

    private record BodyKey(Canonicalization canon, String digest, OptionalLong length) {}

    DkimVerification(Resolver dns, DkimSettings settings, Clock clock, byte[] headerSection) {
        this.dns = dns;
        this.settings = settings;
        this.clock = clock;
        List<HeaderField> parsed;
        try {
            parsed = HeaderField.parse(headerSection, settings.maxHeaderBytes(), settings.maxHeaderFields());
        } catch (DkimSyntaxException e) {
            parsed = List.of();
            entries.add(new DkimResult(Code.PERMERROR, "", "", "", "", "", e.getMessage(), false, Optional.empty()));
        }
        this.fields = parsed;
        int seen = 0;
        for (HeaderField f : fields) {
            if (!f.key().equals("dkim-signature")) continue;
            seen++;
            entries.add(seen > settings.maxSignatures()
                    ? error(Code.POLICY, f, null, "not evaluated: more than " + settings.maxSignatures() + " signatures")
                    : prepare(f));
        }
    }

    /** Parses one signature (section 6.1.1) and registers the body hash it needs. */
    private Object prepare(HeaderField f) {
        if (f.raw().length() > MAX_SIGNATURE_FIELD) {
            return error(Code.PERMERROR, f, null, "signature field over " + MAX_SIGNATURE_FIELD + " octets");
        }
        TagList tags;
        try {
            tags = TagList.parse(f.value());
        } catch (DkimSyntaxException e) {
            return error(Code.PERMERROR, f, null, "malformed signature: " + e.getMessage());
        }
        DkimSignature sig;
        try {
            sig = DkimSignature.parse(f, tags);
        } catch (DkimSyntaxException e) {
            return error(Code.PERMERROR, f, tags, e.getMessage());
        }
        // Section 3.5 x=: "Signatures MAY be considered invalid if the verification time at the
        // Verifier is past the expiration date"; Moat considers them so.
        if (sig.expiry().isPresent() && clock.instant().getEpochSecond() > sig.expiry().getAsLong()) {
            return error(Code.FAIL, f, tags, "signature expired");
        }
        BodyKey key = new BodyKey(sig.bodyCanon(), sig.algorithm().digest(), sig.bodyLength());
        hashers.computeIfAbsent(key, k -> new BodyHasher(k.canon(), k.digest(), k.length()));
        return sig;
    }

    /** The next chunk of the body, in order. */
    public void update(byte[] b, int off, int len) {
        if (finished) throw new IllegalStateException("finish() was called");
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        for (BodyHasher h : hashers.values()) h.update(b, off, len);
    }

    /**
     * Ends the body, looks up the keys and checks each signature. An empty list means the
     * message carries no DKIM-Signature: RFC 8601 "none".
     */
    public List<DkimResult> finish() {
        if (finished) throw new IllegalStateException("finish() was called");
        finished = true;
        Map<BodyKey, BodyHasher.Outcome> bodies = new HashMap<>();
        hashers.forEach((k, h) -> bodies.put(k, h.finish()));
        List<DkimResult> results = new ArrayList<>(entries.size());
        for (Object e : entries) {
            if (e instanceof DkimResult r) {
                results.add(r);
            } else {
                DkimSignature sig = (DkimSignature) e;
                BodyKey k = new BodyKey(sig.bodyCanon(), sig.algorithm().digest(), sig.bodyLength());
                results.add(check(sig, bodies.get(k)));
            }
        }
        return List.copyOf(results);
    }

    /** Sections 6.1.2 (key) and 6.1.3 (hashes and signature) for one parsed signature. */
    private DkimResult check(DkimSignature sig, BodyHasher.Outcome body) {
        BodyCoverage coverage = new BodyCoverage(sig.bodyLength(), body.canonicalLength(), body.rawLength(),
                body.signedRawLength());
        String name = sig.selector() + "._domainkey." + sig.domain();
        KeyRecord key;
        switch (dns.txt(name)) {
            case DnsResult.TempFail<List<String>> t -> {
                return result(sig, Code.TEMPERROR, "key lookup failed: " + t.why(), false, coverage);
            }
            case DnsResult.NxDomain<List<String>> n -> {
                return result(sig, Code.PERMERROR, "no key at " + name, false, coverage);
            }
            case DnsResult.NoData<List<String>> n -> {
                return result(sig, Code.PERMERROR, "no key at " + name, false, coverage);
            }
            case DnsResult.Answer<List<String>> a -> {
                // LIMITATION: several TXT records at the key name are not defined by section
                // 3.6.2.2; like most verifiers, the first one is used.
                try {
                    key = KeyRecord.parse(a.records().getFirst());
                } catch (DkimSyntaxException ex) {
                    return result(sig, Code.PERMERROR, "bad key record: " + ex.getMessage(), false, coverage);
                }
            }
        }
        boolean testing = key.testing();
        if (key.key().isEmpty()) return result(sig, Code.FAIL, "key revoked (empty p=)", testing, coverage);
        if (!key.keyType().equals(sig.algorithm().keyType())) {
            return result(sig, Code.PERMERROR, "key type k=" + key.keyType() + " does not match a=", testing, coverage);
        }
        if (!key.hashes().isEmpty() && !key.hashes().contains("sha256")) {
            return result(sig, Code.PERMERROR, "key does not allow sha256 (h=)", testing, coverage);
        }
        if (key.strict() && !sig.identity().substring(sig.identity().lastIndexOf('@') + 1).equalsIgnoreCase(sig.domain())) {
            return result(sig, Code.PERMERROR, "key has t=s but i= is a subdomain of d=", testing, coverage);
        }
        if (key.keyType().equals("rsa") && key.rsaBits() < settings.minRsaBits()) {
            return result(sig, Code.FAIL, "RSA key of " + key.rsaBits() + " bits is too short (RFC 8301)", testing, coverage);
        }
        if (sig.bodyLength().isPresent() && sig.bodyLength().getAsLong() > body.canonicalLength()) {
            return result(sig, Code.FAIL, "l= is longer than the body", testing, coverage);
        }
        if (!MessageDigest.isEqual(body.hash(), sig.bodyHash())) {
            return result(sig, Code.FAIL, "body hash did not verify", testing, coverage);
        }
        if (!signatureValid(sig, key.key().get())) {
            return result(sig, Code.FAIL, "signature did not verify", testing, coverage);
        }
        return result(sig, Code.PASS, coverage.partial() ? "pass, but l= covers only part of the body" : "pass",
                testing, coverage);
    }

    private boolean signatureValid(DkimSignature sig, PublicKey key) {
        byte[] data = HeaderHash.data(fields, sig.signedHeaders(), sig.headerCanon(), sig.field().name(),
                sig.withoutSignature());
        try {
            return switch (sig.algorithm()) {
                case RSA_SHA256 -> {
                    Signature s = Signature.getInstance("SHA256withRSA");
                    s.initVerify(key);
                    s.update(data);
                    yield s.verify(sig.signature());
                }
                case ED25519_SHA256 -> {
                    // RFC 8463 section 3: Ed25519 signs the SHA-256 hash of the header data, not the data.
                    Signature s = Signature.getInstance("Ed25519");
                    s.initVerify(key);
                    s.update(MessageDigest.getInstance("SHA-256").digest(data));
                    yield s.verify(sig.signature());
                }
            };
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // a malformed signature value, e.g. the wrong length for the key
        }
    }

    private static DkimResult result(DkimSignature sig, Code code, String reason, boolean testing, BodyCoverage body) {
        return new DkimResult(code, sig.domain(), sig.selector(), printable(sig.identity()), sig.algorithm().token(),
                DkimSignature.bPrefix(sig.tags()), clean(reason), testing, Optional.of(body));
    }

    /** A result for a signature that never got as far as DNS; tags may be null when unparseable. */
    private static DkimResult error(Code code, HeaderField f, TagList tags, String reason) {
        if (tags == null) return new DkimResult(code, "", "", "", "", "", clean(reason), false, Optional.empty());
        String d = printable(tags.get("d").orElse(""));
        return new DkimResult(code, d, printable(tags.get("s").orElse("")),
                printable(tags.get("i").orElse(d.isEmpty() ? "" : "@" + d)), printable(tags.get("a").orElse("")),
                DkimSignature.bPrefix(tags), clean(reason), false, Optional.empty());
    }

    /** Reasons quote tag values, which may hold folding: keep them to one printable line. */
    private static String clean(String reason) {
        return PeerText.asciiLine(reason, MAX_REASON);
    }

    /** Tag values go into Authentication-Results: keep them short and free of folding. */
    private static String printable(String s) {
        return PeerText.token(s, 255);
    }
}
