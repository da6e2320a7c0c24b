package moat.core.dns;

/**
 * The outcome of one DNS query, as mail authentication needs to tell them apart: RFC 7208
 * section 5 and RFC 7489 section 6.6.3 treat "no such name" and "no records of that type"
 * differently from a server failure, and a server failure must never read as "no record".
 */
public sealed interface DnsResult<T> {

    /** RCODE 0 with at least one record of the asked type (after CNAME chasing). */
    record Answer<T>(T records, boolean dnssecAuthenticated) implements DnsResult<T> {
        public Answer {
            java.util.Objects.requireNonNull(records, "records");
        }
    }

    /** RCODE 3 (Name Error): the name does not exist. */
    record NxDomain<T>() implements DnsResult<T> {}

    /** RCODE 0 with no record of the asked type: the name exists, the type does not. */
    record NoData<T>() implements DnsResult<T> {}

    /** Timeout, SERVFAIL, REFUSED or a malformed answer: try again later. */
    record TempFail<T>(String why) implements DnsResult<T> {
        public TempFail {
            java.util.Objects.requireNonNull(why, "why");
        }
    }

    /** True for NXDOMAIN and NODATA: the "void lookup" of RFC 7208 section 4.6.4. */
    default boolean isVoid() {
        return this instanceof NxDomain<T> || this instanceof NoData<T>;
    }
}
