package moat.core.dns;

/** One MX record (RFC 1035 section 3.3.9): lower preference is tried first. */
public record Mx(int preference, String host) {
    public Mx {
        if (preference < 0 || preference > 0xffff) throw new IllegalArgumentException("bad MX preference: " + preference);
        host = DnsName.normalize(host);
    }
}
