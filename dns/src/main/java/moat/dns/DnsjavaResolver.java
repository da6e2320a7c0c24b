package moat.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import moat.core.dns.DnsName;
import moat.core.dns.DnsResult;
import moat.core.dns.Mx;
import moat.core.dns.Resolver;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The production {@link Resolver}: a stub resolver that sends recursive queries (RD) to the
 * configured upstream resolvers with dnsjava, follows CNAME chains, and caches answers for their
 * TTL (negative answers for the SOA minimum, RFC 2308 section 5).
 *
 * <p>DNSSEC: Moat does not validate itself. Each query sets the AD bit, which asks the upstream
 * to report whether it validated the answer (RFC 6840 section 5.7); the answer's AD bit becomes
 * {@link DnsResult.Answer#dnssecAuthenticated}. That is only as trustworthy as the path to the
 * upstream (RFC 4035 section 4.9.3): run a validating resolver (unbound) on loopback or in a
 * trusted network. dnsjava's {@code ValidatingResolver} was not chosen: it needs trust anchors
 * kept current and doubles the code on the hot path, for what a local unbound already does.
 *
 * <p>Failures: a timeout, SERVFAIL, REFUSED, a malformed or mismatched answer all become
 * {@link DnsResult.TempFail}, never "no record". TempFail is not cached.
 */
public final class DnsjavaResolver implements Resolver {
    static final int MAX_CNAME_HOPS = 8;

    private final org.xbill.DNS.Resolver upstream;
    private final DnsCache cache;

    /**
     * @param servers   upstream recursive resolvers, tried in order (failover on timeout)
     * @param timeout   per query, for all upstreams together
     * @param cacheSize maximum cached (name, type) answers; 0 disables the cache
     * @param maxTtl    cap on how long any answer is cached
     */
    public record Config(List<InetSocketAddress> servers, Duration timeout, int cacheSize, Duration maxTtl) {
        public Config {
            servers = List.copyOf(servers);
            if (servers.isEmpty()) throw new IllegalArgumentException("at least one DNS server is needed");
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
            if (cacheSize < 0) throw new IllegalArgumentException("cacheSize must be >= 0");
        }
    }

    public DnsjavaResolver(Config config, Clock clock) {
        List<org.xbill.DNS.Resolver> simple = new ArrayList<>();
        for (InetSocketAddress server : config.servers()) {
            SimpleResolver r = new SimpleResolver(server);
            r.setTimeout(config.timeout());
            simple.add(r);
        }
        ExtendedResolver ext = new ExtendedResolver(simple);
        ext.setTimeout(config.timeout());
        ext.setRetries(1);
        ext.setLoadBalance(false);
        this.upstream = ext;
        this.cache = new DnsCache(config.cacheSize(), config.maxTtl(), clock);
    }

    @Override
    public DnsResult<List<String>> txt(String name) {
        return lookup(name, Type.TXT, r -> String.join("", ((TXTRecord) r).getStrings()));
    }

    @Override
    public DnsResult<List<InetAddress>> a(String name) {
        return lookup(name, Type.A, r -> ((ARecord) r).getAddress());
    }

    @Override
    public DnsResult<List<InetAddress>> aaaa(String name) {
        return lookup(name, Type.AAAA, r -> ((AAAARecord) r).getAddress());
    }

    @Override
    public DnsResult<List<Mx>> mx(String name) {
        return lookup(name, Type.MX, r -> {
            MXRecord mx = (MXRecord) r;
            return new Mx(mx.getPriority(), mx.getTarget().toString(true));
        });
    }

    @Override
    public DnsResult<List<moat.core.dns.Tlsa>> tlsa(String name) {
        return lookup(name, Type.TLSA, r -> {
            org.xbill.DNS.TLSARecord t = (org.xbill.DNS.TLSARecord) r;
            return new moat.core.dns.Tlsa(t.getCertificateUsage(), t.getSelector(), t.getMatchingType(),
                    java.util.HexFormat.of().formatHex(t.getCertificateAssociationData()));
        });
    }

    @Override
    public DnsResult<List<String>> ptr(InetAddress address) {
        return lookup(DnsName.reverse(address), Type.PTR, r -> DnsName.normalize(((PTRRecord) r).getTarget().toString(true)));
    }

    /** Raw outcome of a name and type, before conversion: cached in this form. */
    record Outcome(DnsResult<List<Record>> result, long ttlSeconds) {}

    private <T> DnsResult<List<T>> lookup(String name, int type, Function<Record, T> convert) {
        if (!DnsName.isQueryable(name)) return new DnsResult.NxDomain<>();
        Name qname;
        try {
            qname = Name.fromString(DnsName.normalize(name), Name.root);
        } catch (TextParseException e) {
            return new DnsResult.NxDomain<>();
        }
        DnsResult<List<Record>> raw = cache.get(qname, type, () -> resolve(qname, type));
        return switch (raw) {
            case DnsResult.Answer<List<Record>> a -> {
                List<T> out = new ArrayList<>(a.records().size());
                for (Record r : a.records()) out.add(convert.apply(r));
                yield new DnsResult.Answer<>(List.copyOf(out), a.dnssecAuthenticated());
            }
            case DnsResult.NxDomain<List<Record>> n -> new DnsResult.NxDomain<>();
            case DnsResult.NoData<List<Record>> n -> new DnsResult.NoData<>();
            case DnsResult.TempFail<List<Record>> t -> new DnsResult.TempFail<>(t.why());
        };
    }

    /** Queries, following a CNAME chain across answers if the server did not chase it (RFC 1034 3.6.2). */
    private Outcome resolve(Name qname, int type) {
        Name current = qname;
        boolean authenticated = true;
        long ttl = Long.MAX_VALUE;
        for (int hop = 0; hop <= MAX_CNAME_HOPS; ) {
            Message response;
            try {
                response = send(current, type);
            } catch (IOException e) {
                return new Outcome(new DnsResult.TempFail<>("querying " + current + ": " + describe(e)), 0);
            }
            int rcode = response.getRcode();
            authenticated &= response.getHeader().getFlag(Flags.AD);
            if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                return new Outcome(new DnsResult.TempFail<>(Rcode.string(rcode) + " for " + current), 0);
            }
            List<Record> answer = response.getSection(Section.ANSWER);
            // Walk the chain inside this answer.
            while (true) {
                List<Record> found = new ArrayList<>();
                Optional<Name> next = Optional.empty();
                for (Record r : answer) {
                    if (!r.getName().equals(current) || r.getDClass() != DClass.IN) continue;
                    if (r.getType() == type) found.add(r);
                    else if (r.getType() == Type.CNAME) next = Optional.of(((CNAMERecord) r).getTarget());
                    ttl = r.getType() == type || r.getType() == Type.CNAME ? Math.min(ttl, r.getTTL()) : ttl;
                }
                if (!found.isEmpty()) {
                    return new Outcome(new DnsResult.Answer<>(List.copyOf(found), authenticated), ttl);
                }
                if (next.isEmpty()) break;
                current = next.get();
                if (++hop > MAX_CNAME_HOPS) {
                    return new Outcome(new DnsResult.TempFail<>("CNAME chain too long at " + qname), 0);
                }
            }
            // Final when nothing was chased, when a recursive server (RA) chased for us, or on
            // NXDOMAIN, whose RCODE is about the last name of the chain (RFC 6604 section 2.1).
            boolean isFinal = response.getQuestion().getName().equals(current) || rcode == Rcode.NXDOMAIN
                    || response.getHeader().getFlag(Flags.RA);
            if (isFinal) {
                long negative = Math.min(ttl, negativeTtl(response));
                return rcode == Rcode.NXDOMAIN
                        ? new Outcome(new DnsResult.NxDomain<>(), negative)
                        : new Outcome(new DnsResult.NoData<>(), negative);
            }
            // The chain left this answer (an authoritative server does not chase out of zone): ask again.
        }
        return new Outcome(new DnsResult.TempFail<>("CNAME chain too long at " + qname), 0);
    }

    private Message send(Name name, int type) throws IOException {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        query.getHeader().setFlag(Flags.AD); // RFC 6840 5.7: ask the upstream for its validation status
        Message response = upstream.send(query);
        if (response.getHeader().getFlag(Flags.TC)) throw new IOException("truncated answer even over TCP");
        Record q = response.getQuestion();
        if (q == null || !q.getName().equals(name) || q.getType() != type) throw new IOException("answer for another question");
        return response;
    }

    /** RFC 2308 section 5: the minimum of the SOA's TTL and its MINIMUM field. */
    private static long negativeTtl(Message response) {
        for (Record r : response.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) return Math.min(soa.getTTL(), soa.getMinimum());
        }
        return 60; // no SOA: cache briefly
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }
}
