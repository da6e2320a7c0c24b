package moat.auth.dmarc;

/** RFC 7489 section 6.3, the {@code p=} and {@code sp=} values, also used for the disposition applied. */
public enum DmarcPolicy {
    NONE("none"), QUARANTINE("quarantine"), REJECT("reject");

    private final String token;

    DmarcPolicy(String token) {
        this.token = token;
    }

    /** The record's spelling, lower case. */
    public String token() {
        return token;
    }

    /**
     * The policy one step milder: RFC 7489 section 6.6.4 says a message not selected by pct= gets
     * the next policy down (reject becomes quarantine, quarantine becomes none).
     */
    DmarcPolicy milder() {
        return switch (this) {
            case REJECT -> QUARANTINE;
            case QUARANTINE, NONE -> NONE;
        };
    }
}
