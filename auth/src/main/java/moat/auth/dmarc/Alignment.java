package moat.auth.dmarc;

/** RFC 7489 section 3.1: identifier alignment modes, the {@code adkim=} and {@code aspf=} values. */
public enum Alignment {
    /** {@code r}: the Organizational Domains are equal (section 3.1.1 and 3.1.2). */
    RELAXED,
    /** {@code s}: the domains are equal. */
    STRICT
}
