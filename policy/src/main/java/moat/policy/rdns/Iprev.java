package moat.policy.rdns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;

/**
 * The "iprev" method of RFC 8601 section 3 (forward-confirmed reverse DNS): look up the PTR
 * names of the client IP, then the addresses of each name; the client passes when one of them is
 * its own address.
 */
public final class Iprev {
    /** RFC 8601 section 2.7.3 bounds nothing; like SPF's limit of 10 (RFC 7208 4.6.4), check at most 10 names. */
    static final int MAX_NAMES = 10;

    /** The iprev outcome, with the RFC's tokens. {@code none} is Moat's own split of "fail": no PTR at all. */
    public enum Status { PASS, NONE, FAIL, TEMPERROR }

    /** The outcome and the PTR names seen; {@code confirmed} is the name that resolved back (on pass). */
    public record Result(Status status, List<String> ptrNames, Optional<String> confirmed) {
        public Result {
            ptrNames = List.copyOf(ptrNames);
        }
    }

    private Iprev() {}

    public static Result check(Resolver dns, InetAddress client) {
        DnsResult<List<String>> ptr = dns.ptr(client);
        List<String> names;
        switch (ptr) {
            case DnsResult.Answer<List<String>> a -> names = a.records();
            case DnsResult.NxDomain<List<String>> n -> {
                return new Result(Status.NONE, List.of(), Optional.empty());
            }
            case DnsResult.NoData<List<String>> n -> {
                return new Result(Status.NONE, List.of(), Optional.empty());
            }
            case DnsResult.TempFail<List<String>> t -> {
                return new Result(Status.TEMPERROR, List.of(), Optional.empty());
            }
        }
        boolean tempError = false;
        for (String name : names.subList(0, Math.min(names.size(), MAX_NAMES))) {
            DnsResult<List<InetAddress>> fwd = client instanceof Inet4Address ? dns.a(name) : dns.aaaa(name);
            switch (fwd) {
                case DnsResult.Answer<List<InetAddress>> a -> {
                    if (a.records().contains(client)) return new Result(Status.PASS, names, Optional.of(name));
                }
                case DnsResult.TempFail<List<InetAddress>> t -> tempError = true;
                case DnsResult.NxDomain<List<InetAddress>> n -> { }
                case DnsResult.NoData<List<InetAddress>> n -> { }
            }
        }
        // A DNS failure on any name could hide the matching one: that is not a fail (RFC 8601 2.7.3).
        return new Result(tempError ? Status.TEMPERROR : Status.FAIL, names, Optional.empty());
    }
}
