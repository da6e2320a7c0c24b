package moat.auth.dkim;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One parsed DKIM-Signature header field (RFC 6376 section 3.5), checked as section 6.1.1
 * requires before any DNS query is made.
 *
 * @param signedHeaders the h= names as written, in order (repeats are over-signing)
 * @param identity      the AUID (i=), defaulting to "@" + d (section 3.5)
 * @param bodyLength    the l= count, absent when the whole body is signed
 */
record DkimSignature(HeaderField field, TagList tags, DkimAlgorithm algorithm, byte[] signature, byte[] bodyHash,
                     Canonicalization headerCanon, Canonicalization bodyCanon, String domain, String selector,
                     List<String> signedHeaders, String identity, OptionalLong bodyLength,
                     OptionalLong timestamp, OptionalLong expiry) {

    /** Longest decimal accepted in l=, t= and x= (section 3.5 allows 76 digits; we stay in a long). */
    private static final int MAX_DIGITS = 18;

    static DkimSignature parse(HeaderField field, TagList tags) throws DkimSyntaxException {
        if (!tags.require("v").equals("1")) throw new DkimSyntaxException("unsupported version v=" + tags.require("v"));
        DkimAlgorithm algorithm = DkimAlgorithm.of(tags.require("a"));
        byte[] b = TagList.base64("b", tags.require("b"));
        byte[] bh = TagList.base64("bh", tags.require("bh"));
        if (b.length == 0 || bh.length == 0) throw new DkimSyntaxException("empty b= or bh=");
        String domain = domainName("d", tags.require("d"));
        String selector = domainName("s", tags.require("s"));

        Canonicalization hc = Canonicalization.SIMPLE;
        Canonicalization bc = Canonicalization.SIMPLE;
        Optional<String> c = tags.get("c");
        if (c.isPresent()) {
            String[] parts = c.get().split("/", -1);
            if (parts.length > 2) throw new DkimSyntaxException("bad c=" + c.get());
            hc = Canonicalization.of(parts[0]);
            if (parts.length == 2) bc = Canonicalization.of(parts[1]);
        }

        List<String> h = TagList.colonList(tags.require("h"));
        for (String name : h) {
            if (name.isEmpty() || name.chars().anyMatch(ch -> ch <= 0x20 || ch >= 0x7f || ch == ':')) {
                throw new DkimSyntaxException("bad header name in h=");
            }
        }
        // Section 5.4 / 6.1.1: the From field MUST be signed.
        if (h.stream().noneMatch(n -> n.equalsIgnoreCase("from"))) throw new DkimSyntaxException("h= does not include From");

        String identity = tags.get("i").orElse("@" + domain);
        int at = identity.lastIndexOf('@');
        if (at < 0) throw new DkimSyntaxException("i= has no @");
        String idDomain = domainName("i", identity.substring(at + 1));
        // Section 3.5 i=: "the domain part of the address MUST be the same as, or a subdomain of,
        // the value of the "d=" tag".
        if (!idDomain.equals(domain) && !idDomain.endsWith("." + domain)) {
            throw new DkimSyntaxException("i= domain " + idDomain + " is not within d=" + domain);
        }

        Optional<String> q = tags.get("q");
        if (q.isPresent() && TagList.colonList(q.get()).stream().noneMatch(m -> m.equals("dns/txt"))) {
            throw new DkimSyntaxException("no supported query method in q=" + q.get());
        }
        OptionalLong l = number(tags, "l");
        OptionalLong t = number(tags, "t");
        OptionalLong x = number(tags, "x");
        // Section 3.5 x=: "the value of the "x=" tag MUST be greater than the value of the "t=" tag".
        if (t.isPresent() && x.isPresent() && x.getAsLong() <= t.getAsLong()) {
            throw new DkimSyntaxException("x= is not after t=");
        }
        return new DkimSignature(field, tags, algorithm, b, bh, hc, bc, domain, selector, h, identity, l, t, x);
    }

    /** The first eight characters of b=, the RFC 6008 header.b that tells signatures apart. */
    static String bPrefix(TagList tags) {
        String b = tags.get("b").orElse("").replaceAll("[ \t\r\n]", "");
        return b.length() > 8 ? b.substring(0, 8) : b;
    }

    /** The field with the b= value emptied, "including all surrounding whitespace" (section 3.7). */
    String withoutSignature() {
        TagList.Tag b = tags.tags().get("b");
        int base = field.raw().indexOf(':') + 1;
        return field.raw().substring(0, base + b.valueStart()) + field.raw().substring(base + b.valueEnd());
    }

    private static OptionalLong number(TagList tags, String name) throws DkimSyntaxException {
        Optional<String> v = tags.get(name);
        if (v.isEmpty()) return OptionalLong.empty();
        String s = v.get();
        if (s.isEmpty() || s.length() > MAX_DIGITS || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new DkimSyntaxException("bad number in " + name + "=");
        }
        return OptionalLong.of(Long.parseLong(s));
    }

    /** A domain or selector: dot-separated labels of letters, digits, '-' and '_', lower-cased. */
    static String domainName(String tag, String s) throws DkimSyntaxException {
        String d = s.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
        if (d.isEmpty() || d.length() > 253) throw new DkimSyntaxException("bad name in " + tag + "=");
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63
                    || !label.chars().allMatch(ch -> TagList.isAlpha((char) ch) || TagList.isDigit((char) ch)
                            || ch == '-' || ch == '_')) {
                throw new DkimSyntaxException("bad name in " + tag + "=");
            }
        }
        return d;
    }
}
