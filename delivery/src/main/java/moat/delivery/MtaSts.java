package moat.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import moat.core.Domain;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;

/**
 * MTA-STS (RFC 8461): finds a recipient domain's policy. The {@code _mta-sts} TXT record says a
 * policy exists and names its id (section 3.1); the policy is fetched over HTTPS from
 * {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} with a verified certificate, no
 * redirects, 64 KiB at most (section 3.3), and cached for its {@code max_age}. A cached policy
 * stays in force while the TXT record or the web server is unreachable, and is refreshed when
 * the TXT id changes (section 5). Names are resolved through the Moat {@link Resolver}, so tests
 * and the server see the same DNS.
 *
 * <p>The cache survives restarts ({@link MtaStsCache}, a file in the data directory): an attacker
 * who blocks the policy fetch after a restart still meets the cached policy (section 10.2).
 *
 * <p>A failed fetch is told to TLS-RPT ({@code sts-policy-fetch-error}, {@code sts-webpki-invalid},
 * {@code sts-policy-invalid}, RFC 8460 section 4.3.2.2).
 *
 * <p>LIMITATION: no proactive refresh before max_age ends (section 5.1 suggests one), and no
 * negative cache: while the TXT record names a new id and the fetch fails, every delivery
 * attempt to the domain fetches again. The cache holds at most {@link #MAX_CACHED} domains.
 */
final class MtaSts {
    static final int MAX_CACHED = 10_000;

    private final Resolver dns;
    private final Clock clock;
    private final int port;
    private final PeerTrust.Anchors anchors;
    private final Duration timeout;
    private final MtaStsCache store;
    private final java.util.function.BiConsumer<String, TlsRpt.ResultType> onFetchFailure;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, MtaStsCache.Entry> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, MtaStsCache.Entry> eldest) {
            return size() > MAX_CACHED;
        }
    };

    /** Starts with the policies {@code store} kept from earlier runs that are still in force. */
    MtaSts(Resolver dns, Clock clock, int port, PeerTrust.Anchors anchors, Duration timeout, MtaStsCache store,
           java.util.function.BiConsumer<String, TlsRpt.ResultType> onFetchFailure) {
        this.onFetchFailure = onFetchFailure;
        this.dns = dns;
        this.clock = clock;
        this.port = port;
        this.anchors = anchors;
        this.timeout = timeout;
        this.store = store;
        for (MtaStsCache.Entry e : store.load(clock.instant())) cache.put(e.domain(), e);
    }

    /** The policy in force for {@code domain}, if any. Never throws; failures fall back to the cache. */
    Optional<MtaStsPolicy> policyFor(Domain domain) {
        String d = domain.ascii();
        Instant now = clock.instant();
        Optional<MtaStsCache.Entry> cached = cached(d, now);
        Optional<String> id = switch (dns.txt("_mta-sts." + d)) {
            case DnsResult.Answer<List<String>> a -> id(a.records());
            case DnsResult.TempFail<List<String>> t -> Optional.empty();
            case DnsResult.NxDomain<List<String>> n -> Optional.empty();
            case DnsResult.NoData<List<String>> n -> Optional.empty();
        };
        if (id.isEmpty()) return cached.map(MtaStsCache.Entry::policy); // section 5: a cached policy outlives its TXT
        if (cached.isPresent() && cached.get().id().equals(id.get())) return Optional.of(cached.get().policy());
        Optional<MtaStsPolicy> fetched = fetch(d);
        if (fetched.isEmpty()) return cached.map(MtaStsCache.Entry::policy);
        lock.lock();
        try {
            cache.put(d, new MtaStsCache.Entry(d, id.get(), fetched.get(), now.plusSeconds(fetched.get().maxAgeSeconds())));
            store.save(List.copyOf(cache.values())); // under the lock: files are written in cache order
        } finally {
            lock.unlock();
        }
        return fetched;
    }

    private Optional<MtaStsCache.Entry> cached(String d, Instant now) {
        lock.lock();
        try {
            MtaStsCache.Entry c = cache.get(d);
            if (c != null && !now.isBefore(c.expires())) {
                cache.remove(d);
                c = null;
            }
            return Optional.ofNullable(c);
        } finally {
            lock.unlock();
        }
    }

    /** Section 3.1: exactly one record starting with {@code v=STSv1}, with an {@code id} of 1 to 32 alphanumerics. */
    static Optional<String> id(List<String> txts) {
        List<String> sts = txts.stream().filter(t -> t.startsWith("v=STSv1;") || t.equals("v=STSv1")).toList();
        if (sts.size() != 1) return Optional.empty();
        for (String field : sts.getFirst().split(";")) {
            String f = field.trim();
            if (f.startsWith("id=") && f.substring(3).matches("[A-Za-z0-9]{1,32}")) return Optional.of(f.substring(3));
        }
        return Optional.empty();
    }

    /**
     * HTTPS GET of the policy: verified certificate for mta-sts.&lt;domain&gt;, status 200,
     * text/plain. A failure is told to {@code onFetchFailure} with its RFC 8460 result type.
     */
    private Optional<MtaStsPolicy> fetch(String domain) {
        String host = "mta-sts." + domain;
        List<InetAddress> addrs = new ArrayList<>();
        for (DnsResult<List<InetAddress>> r : List.of(dns.aaaa(host), dns.a(host))) {
            if (r instanceof DnsResult.Answer<List<InetAddress>> a) addrs.addAll(a.records());
        }
        TlsRpt.ResultType failure = TlsRpt.ResultType.STS_POLICY_FETCH_ERROR;
        for (InetAddress ip : addrs) {
            try {
                PeerTrust trust = new PeerTrust(anchors);
                Optional<String> body = get(host, ip, trust);
                if (body.isPresent()) {
                    Optional<MtaStsPolicy> p = MtaStsPolicy.parse(body.get());
                    if (p.isEmpty()) onFetchFailure.accept(domain, TlsRpt.ResultType.STS_POLICY_INVALID);
                    return p;
                }
                if (!trust.verified()) failure = TlsRpt.ResultType.STS_WEBPKI_INVALID;
            } catch (IOException e) {
                // next address; none: no policy (or the cached one)
            }
        }
        onFetchFailure.accept(domain, failure);
        return Optional.empty();
    }

    private Optional<String> get(String host, InetAddress ip, PeerTrust trust) throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(ip, port), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true)) {
                SSLParameters p = s.getSSLParameters();
                p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                p.setEndpointIdentificationAlgorithm("HTTPS");
                p.setServerNames(List.of(new SNIHostName(host)));
                s.setSSLParameters(p);
                s.startHandshake();
                if (!trust.verified()) return Optional.empty(); // section 3.3: the certificate MUST verify
                OutputStream out = s.getOutputStream();
                out.write(("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + host
                        + "\r\nUser-Agent: moat\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return parseResponse(s.getInputStream());
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** A bounded HTTP/1.1 response: 200 only (no redirects, section 3.3), text/plain, plain or chunked body. */
    static Optional<String> parseResponse(InputStream in) throws IOException {
        byte[] all = in.readNBytes(MtaStsPolicy.MAX_SIZE + 8192);
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) return Optional.empty();
        String[] head = text.substring(0, end).split("\r\n");
        if (!head[0].matches("HTTP/1\\.[01] 200( .*)?")) return Optional.empty();
        boolean chunked = false;
        boolean plainText = false;
        for (int i = 1; i < head.length; i++) {
            String h = head[i].toLowerCase(Locale.ROOT);
            if (h.startsWith("transfer-encoding:") && h.contains("chunked")) chunked = true;
            if (h.startsWith("content-type:") && h.substring(13).trim().startsWith("text/plain")) plainText = true;
        }
        if (!plainText) return Optional.empty();
        String body = text.substring(end + 4);
        if (chunked) body = dechunk(body);
        if (body == null || body.length() > MtaStsPolicy.MAX_SIZE) return Optional.empty();
        return Optional.of(new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    private static String dechunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int crlf = s.indexOf("\r\n", i);
            if (crlf < 0) return null;
            String size = s.substring(i, crlf).split(";")[0].trim();
            if (!size.matches("[0-9A-Fa-f]{1,6}")) return null;
            int n = Integer.parseInt(size, 16);
            if (n == 0) return out.toString();
            if (crlf + 2 + n > s.length()) return null;
            out.append(s, crlf + 2, crlf + 2 + n);
            i = crlf + 2 + n + 2;
            if (out.length() > MtaStsPolicy.MAX_SIZE) return null;
        }
    }
}
