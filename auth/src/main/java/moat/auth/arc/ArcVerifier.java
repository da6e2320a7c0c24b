package moat.auth.arc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import moat.auth.arc.ArcChain.ArcSet;
import moat.auth.arc.ArcResult.Code;
import moat.auth.dkim.BodyHasher;
import moat.auth.dkim.Canonicalization;
import moat.auth.dkim.DkimSyntaxException;
import moat.auth.dkim.HeaderField;
import moat.auth.dkim.HeaderHash;
import moat.auth.dkim.KeyRecord;
import moat.auth.dkim.MessageSplit;
import moat.auth.dkim.TagList;
import moat.core.PeerText;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;

/**
 * Validates the Authenticated Received Chain of a message (RFC 8617 section 5.2). The
 * ARC-Message-Signature is checked like a DKIM signature (RFC 6376 section 6 with the changes of
 * RFC 8617 section 4.1.2); each ARC-Seal signs, with relaxed header canonicalisation, the ARC
 * sets 1 to its own instance (section 5.1.1). One instance serves every thread.
 */
public final class ArcVerifier {
    /** Same bounds as DKIM's defaults: a larger header section is not evaluated. */
    static final int MAX_HEADER_BYTES = 256 << 10;
    static final int MAX_HEADER_FIELDS = 1000;
    /** RFC 8301 section 3.2: RSA keys under 1024 bits are never trusted. */
    static final int MIN_RSA_BITS = 1024;
    static final int MAX_REASON = 200;

    private final Resolver dns;
    private final Clock clock;

    public ArcVerifier(Resolver dns, Clock clock) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Validates the chain of a whole message held in memory (header fields, empty line, body; CRLF). */
    public ArcResult verify(byte[] message) {
        int bodyStart = MessageSplit.bodyStart(message);
        List<HeaderField> fields;
        try {
            fields = HeaderField.parse(Arrays.copyOf(message, bodyStart), MAX_HEADER_BYTES, MAX_HEADER_FIELDS);
        } catch (DkimSyntaxException e) {
            return fail(0, e.getMessage());
        }
        List<ArcSet> sets;
        switch (ArcChain.parse(fields)) {
            case ArcChain.Parsed.Empty e -> {
                return new ArcResult(Code.NONE, 0, "no ARC sets", Optional.empty());
            }
            case ArcChain.Parsed.Broken b -> {
                return fail(b.instances(), b.why());
            }
            case ArcChain.Parsed.Chain c -> sets = c.sets();
        }
        int n = sets.size();
        // Section 5.2 step 2: a chain its last sealer declared failed stays failed.
        String lastCv = sets.getLast().sealTags().get("cv").orElse("");
        if (lastCv.equals("fail")) return fail(n, "ARC-Seal i=" + n + " says cv=fail");
        // Section 5.2 step 3 / 5.1.1: i=1 seals with cv=none, every later instance with cv=pass.
        for (ArcSet s : sets) {
            String cv = s.sealTags().get("cv").orElse("");
            String want = s.instance() == 1 ? "none" : "pass";
            if (!cv.equals(want)) return fail(n, "ARC-Seal i=" + s.instance() + " has cv=" + cv + ", expected " + want);
        }
        Map<String, Object> keys = new HashMap<>();
        Body body = new Body(message, bodyStart);
        // Step 4: the newest AMS must verify.
        Optional<String> amsProblem = checkMessageSignature(sets.getLast(), fields, body, keys);
        if (amsProblem.isPresent()) return fail(n, "ARC-Message-Signature i=" + n + ": " + amsProblem.get());
        // Step 5: oldest-pass, the oldest AMS that still verifies, walking down without a gap.
        int oldest = n;
        for (int i = n - 1; i >= 1; i--) {
            if (checkMessageSignature(sets.get(i - 1), fields, body, keys).isPresent()) break;
            oldest = i;
        }
        // Step 6: every seal, newest first.
        for (int i = n; i >= 1; i--) {
            Optional<String> p = checkSeal(sets, i, keys);
            if (p.isPresent()) return fail(n, "ARC-Seal i=" + i + ": " + p.get());
        }
        String d = sets.get(oldest - 1).signatureTags().get("d").orElse("").toLowerCase(Locale.ROOT);
        return new ArcResult(Code.PASS, n, "chain of " + n + " verified, oldest-pass i=" + oldest, Optional.of(d));
    }

    /** The body of the message and its hashes, computed once per (canonicalisation, l=). */
    private static final class Body {
        final byte[] message;
        final int start;
        final Map<String, BodyHasher.Outcome> hashes = new HashMap<>();

        Body(byte[] message, int start) {
            this.message = message;
            this.start = start;
        }

        BodyHasher.Outcome hash(Canonicalization c, OptionalLong l) {
            return hashes.computeIfAbsent(c + "/" + l, k -> {
                BodyHasher h = new BodyHasher(c, "SHA-256", l);
                h.update(message, start, message.length - start);
                return h.finish();
            });
        }
    }

    /** RFC 8617 section 4.1.2 and RFC 6376 section 6.1: one ARC-Message-Signature. */
    private Optional<String> checkMessageSignature(ArcSet set, List<HeaderField> fields, Body body,
                                                   Map<String, Object> keys) {
        TagList t = set.signatureTags();
        try {
            Common c = common(t);
            byte[] bh = TagList.base64("bh", t.require("bh"));
            if (bh.length == 0) return Optional.of("empty bh=");
            // Without c=, RFC 8617 section 4.1.2 inherits DKIM's default simple/simple (RFC 6376
            // section 3.5); the ARC drafts, and signers built on them, used relaxed/relaxed. Both are
            // tried (ADR 0008): either way the key holder signed exactly what is checked.
            List<Canonicalization[]> canons = new java.util.ArrayList<>(2);
            Optional<String> cTag = t.get("c");
            if (cTag.isPresent()) {
                String[] parts = cTag.get().split("/", -1);
                if (parts.length > 2) return Optional.of("bad c=");
                canons.add(new Canonicalization[] {Canonicalization.of(parts[0]),
                        parts.length == 2 ? Canonicalization.of(parts[1]) : Canonicalization.SIMPLE});
            } else {
                canons.add(new Canonicalization[] {Canonicalization.SIMPLE, Canonicalization.SIMPLE});
                canons.add(new Canonicalization[] {Canonicalization.RELAXED, Canonicalization.RELAXED});
            }
            String hValue = t.require("h");
            List<String> h = TagList.trimFws(hValue).isEmpty() ? List.of() : TagList.colonList(hValue);
            for (String name : h) {
                // An empty name ("to::date") selects no field: the "null input" of RFC 6376 section 5.4.
                if (name.chars().anyMatch(ch -> ch <= 0x20 || ch >= 0x7f)) return Optional.of("bad h=");
                // Section 4.1.2: ARC-Seal fields MUST NOT be signed by an AMS (they are added later).
                if (name.equalsIgnoreCase(ArcChain.SEAL)) return Optional.of("h= includes ARC-Seal");
            }
            OptionalLong l = number(t, "l");
            Object key = null;
            String problem = "";
            for (Canonicalization[] hb : canons) {
                BodyHasher.Outcome out = body.hash(hb[1], l);
                if (l.isPresent() && l.getAsLong() > out.canonicalLength()) {
                    problem = "l= is longer than the body";
                    continue;
                }
                if (!MessageDigest.isEqual(out.hash(), bh)) {
                    problem = "body hash did not verify";
                    continue;
                }
                if (key == null) key = key(c, keys);
                if (key instanceof String p) return Optional.of(p);
                byte[] data = HeaderHash.data(fields, h, hb[0], set.signature().name(), withoutB(set.signature(), t));
                if (valid(c.algorithm, (PublicKey) key, data, c.signature)) return Optional.empty();
                problem = "signature did not verify";
            }
            return Optional.of(problem);
        } catch (DkimSyntaxException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * RFC 8617 section 5.1.1: the seal of instance {@code upto} signs the ARC sets 1..upto in
     * instance order, each as AAR, AMS, AS, relaxed; its own AS last, b= emptied, no final CRLF.
     */
    private Optional<String> checkSeal(List<ArcSet> sets, int upto, Map<String, Object> keys) {
        ArcSet own = sets.get(upto - 1);
        TagList t = own.sealTags();
        try {
            Common c = common(t);
            // Section 4.1.3: the AS has no h= (what it covers is fixed).
            if (t.get("h").isPresent()) return Optional.of("ARC-Seal must not have h=");
            Object key = key(c, keys);
            if (key instanceof String problem) return Optional.of(problem);
            StringBuilder sb = new StringBuilder(4096);
            Canonicalization r = Canonicalization.RELAXED;
            for (int i = 0; i < upto; i++) {
                ArcSet s = sets.get(i);
                sb.append(r.header(s.results()));
                sb.append(r.header(s.signature()));
                if (i < upto - 1) sb.append(r.header(s.seal()));
            }
            sb.append(r.header(own.seal().name(), withoutB(own.seal(), t)));
            byte[] data = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            return valid(c.algorithm, (PublicKey) key, data, c.signature) ? Optional.empty()
                    : Optional.of("signature did not verify");
        } catch (DkimSyntaxException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The tags AMS and AS share: a=, b=, d=, s=, t=, x=. */
    private record Common(String algorithm, byte[] signature, String domain, String selector) {}

    private Common common(TagList t) throws DkimSyntaxException {
        String a = t.require("a").toLowerCase(Locale.ROOT);
        // RFC 8301 section 3.1: rsa-sha1 MUST NOT be considered valid.
        if (!a.equals("rsa-sha256") && !a.equals("ed25519-sha256")) throw new DkimSyntaxException("algorithm not allowed: " + a);
        byte[] b = TagList.base64("b", t.require("b"));
        if (b.length == 0) throw new DkimSyntaxException("empty b=");
        String d = name("d", t.require("d"));
        String s = name("s", t.require("s"));
        OptionalLong ts = number(t, "t");
        OptionalLong x = number(t, "x");
        if (x.isPresent() && clock.instant().getEpochSecond() > x.getAsLong()) throw new DkimSyntaxException("signature expired");
        if (ts.isPresent() && x.isPresent() && x.getAsLong() <= ts.getAsLong()) throw new DkimSyntaxException("x= is not after t=");
        return new Common(a, b, d, s);
    }

    /** The public key for s=/d=, or a String saying why there is none. One query per name per message. */
    private Object key(Common c, Map<String, Object> cache) {
        String name = c.selector() + "._domainkey." + c.domain();
        Object k = cache.computeIfAbsent(name, this::lookup);
        if (!(k instanceof KeyRecord key)) return k;
        if (key.key().isEmpty()) return "key revoked (empty p=)";
        String type = c.algorithm().startsWith("rsa") ? "rsa" : "ed25519";
        if (!key.keyType().equals(type)) return "key type k=" + key.keyType() + " does not match a=";
        if (!key.hashes().isEmpty() && !key.hashes().contains("sha256")) return "key does not allow sha256 (h=)";
        if (type.equals("rsa") && key.rsaBits() < MIN_RSA_BITS) return "RSA key of " + key.rsaBits() + " bits is too short";
        return key.key().get();
    }

    private Object lookup(String name) {
        return switch (dns.txt(name)) {
            // LIMITATION: cv has no temperror; a DNS failure fails the chain (reason says so).
            case DnsResult.TempFail<List<String>> t -> "key lookup failed (temperror): " + t.why();
            case DnsResult.NxDomain<List<String>> n -> "no key at " + name;
            case DnsResult.NoData<List<String>> n -> "no key at " + name;
            case DnsResult.Answer<List<String>> a -> {
                try {
                    yield KeyRecord.parse(a.records().getFirst());
                } catch (DkimSyntaxException e) {
                    yield "bad key record at " + name + ": " + e.getMessage();
                }
            }
        };
    }

    private static boolean valid(String algorithm, PublicKey key, byte[] data, byte[] signature) {
        try {
            if (algorithm.equals("rsa-sha256")) {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initVerify(key);
                s.update(data);
                return s.verify(signature);
            }
            Signature s = Signature.getInstance("Ed25519"); // RFC 8463 section 3: signs the SHA-256 of the data
            s.initVerify(key);
            s.update(MessageDigest.getInstance("SHA-256").digest(data));
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The field with the b= value emptied (RFC 6376 section 3.7, as RFC 8617 section 5.1 reuses it). */
    private static String withoutB(HeaderField f, TagList tags) {
        TagList.Tag b = tags.tags().get("b");
        int base = f.raw().indexOf(':') + 1;
        return f.raw().substring(0, base + b.valueStart()) + f.raw().substring(base + b.valueEnd());
    }

    private static OptionalLong number(TagList tags, String name) throws DkimSyntaxException {
        Optional<String> v = tags.get(name);
        if (v.isEmpty()) return OptionalLong.empty();
        String s = v.get();
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new DkimSyntaxException("bad number in " + name + "=");
        }
        return OptionalLong.of(Long.parseLong(s));
    }

    /** A domain or selector: dot-separated labels of letters, digits, '-' and '_'. */
    private static String name(String tag, String s) throws DkimSyntaxException {
        String d = s.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
        if (d.isEmpty() || d.length() > 253) throw new DkimSyntaxException("bad name in " + tag + "=");
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !label.chars().allMatch(ch ->
                    (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
                throw new DkimSyntaxException("bad name in " + tag + "=");
            }
        }
        return d;
    }

    private static ArcResult fail(int instances, String why) {
        return new ArcResult(Code.FAIL, instances, PeerText.asciiLine(why, MAX_REASON), Optional.empty());
    }
}
